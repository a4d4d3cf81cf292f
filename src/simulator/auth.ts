/**
 * The upgrade's authentication, as the service does it: `Authorization: Bearer <key>`, and an
 * HTTP 401 with DashScope's usual JSON body when the key is missing or wrong.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';

/** The key of an `Authorization: Bearer <key>` header, or undefined when there is none. */
export function bearerKey(header: string | string[] | undefined): string | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  if (typeof h !== 'string') return undefined;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}

/**
 * Whether the presented key opens a session: any non-empty key when the simulator has none,
 * else exactly its key (compared in constant time, a habit worth keeping even in a mock).
 */
export function isAuthorized(presented: string | undefined, expected: string | undefined): boolean {
  if (!presented) return false;
  if (expected === undefined || expected === '') return true;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The body of the 401 (the exact DashScope shape is UNCONFIRMED; this is its usual one). */
export function unauthorizedBody(): string {
  return JSON.stringify({ code: 'InvalidApiKey', message: 'Invalid API-key provided.', request_id: randomUUID() });
}

/** A complete raw HTTP response, written on the socket of a refused upgrade. */
export function rawHttpResponse(status: number, reason: string, body: string): string {
  return `HTTP/1.1 ${status} ${reason}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' + body;
}
