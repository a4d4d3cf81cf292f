/**
 * Turns whatever a Node-RED flow hands us into image bytes. Flows carry images in many shapes: Buffers
 * from file/http nodes, base64 strings from APIs, data URLs from browsers and dashboard webcam widgets
 * (`msg.payload.image`), and `{type:'Buffer',data:[…]}` when a Buffer went through JSON (context storage,
 * MQTT, the debug sidebar's "copy value"). Only the shape is handled here; sniff.ts decides if it is an image.
 */
import { ImageFormatError } from './errors';

const ACCEPTED =
  'expected image bytes as a Buffer, Uint8Array, ArrayBuffer, base64 string, data URL ' +
  "(data:image/…;base64,…), {type:'Buffer',data:[…]} or an object whose .image or .data holds one of these";

/** base64 and base64url alphabets, with optional padding; whitespace is stripped before the test. */
const BASE64 = /^[A-Za-z0-9+/\-_]+={0,2}$/;

/** Nesting allowed for `.image` / `.data` wrappers, e.g. `{payload:{image:…}}` already unwrapped once. */
const MAX_DEPTH = 3;

function describe(data: unknown): string {
  if (data === null) return 'null';
  if (Array.isArray(data)) return 'an array';
  if (typeof data === 'string') {
    // A common slip: passing a file name or link. Say how to get the bytes instead.
    if (/^(\/|[a-z]:\\|\.{1,2}\/|https?:\/\/|file:)/i.test(data.trim())) {
      return 'a file path or URL (these are not read here: fetch the bytes first, e.g. with a file-in or http request node)';
    }
    return `a string of ${data.length} characters that is neither base64 nor a base64 data URL`;
  }
  if (typeof data === 'object') {
    const keys = Object.keys(data as object).slice(0, 5);
    return keys.length ? `an object with keys ${keys.join(', ')}` : 'an empty object';
  }
  return typeof data;
}

function fromString(text: string): Buffer | undefined {
  let s = text.trim();
  if (s.startsWith('data:')) {
    const comma = s.indexOf(',');
    // Only base64 data URLs: percent-encoded binary is never produced for images in practice.
    if (comma < 0 || !/;base64$/i.test(s.slice(0, comma))) return undefined;
    s = s.slice(comma + 1);
  }
  s = s.replace(/\s+/g, '');
  if (s.length === 0 || !BASE64.test(s)) return undefined;
  const bytes = Buffer.from(s, 'base64');
  return bytes.length > 0 ? bytes : undefined;
}

function isJsonBuffer(data: object): data is { type: 'Buffer'; data: unknown[] } {
  const o = data as { type?: unknown; data?: unknown };
  return o.type === 'Buffer' && Array.isArray(o.data);
}

function coerce(data: unknown, depth: number): Buffer {
  if (Buffer.isBuffer(data)) return data;
  // Views share memory with the caller's bytes rather than copying: frames can be large and frequent.
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (typeof data === 'string') {
    const bytes = fromString(data);
    if (bytes) return bytes;
  } else if (data !== null && typeof data === 'object' && depth < MAX_DEPTH) {
    if (isJsonBuffer(data)) {
      if (data.data.every((b) => Number.isInteger(b) && (b as number) >= 0 && (b as number) <= 255)) {
        return Buffer.from(data.data as number[]);
      }
    } else {
      const o = data as { image?: unknown; data?: unknown };
      if (o.image !== undefined) return coerce(o.image, depth + 1);
      if (o.data !== undefined) return coerce(o.data, depth + 1);
    }
  }
  throw new ImageFormatError(`${ACCEPTED}; got ${describe(data)}`);
}

export function coerceImageBytes(data: unknown): Buffer {
  const bytes = coerce(data, 0);
  if (bytes.length === 0) throw new ImageFormatError(`${ACCEPTED}; got an empty buffer`);
  return bytes;
}
