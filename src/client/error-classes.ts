/**
 * What a failure means for the session: whether trying again later can help (a rate limit, an
 * outage) or only a change can (a refused key, a refused configuration). The client acts on
 * these answers: backoff and retry, or fail and wait to be asked.
 */
import type { ErrorDetail } from '../protocol';
import type { StateReason } from './session-types';
import { redact, redactRaw } from './redact';

/** The service ends sessions that produced nothing for a while (about 300 s). */
const IDLE_TIMEOUT = /no response was generated|idle/i;
/** Service errors that are about the moment, not the configuration: retrying later can help. */
const TRANSIENT = /rate|quota|throttl|arrearage|internal|timeout|idle|overload|unavailable|busy|server_error|common_error/i;

/** An `error` event while the session opens: the moment (retry later), or our configuration (fail). */
export function isTransientServiceError(detail: ErrorDetail): boolean {
  return TRANSIENT.test(`${detail.type} ${detail.code} ${detail.message}`);
}

/** The service closed the session for inactivity: reopen with the next input, no backoff needed. */
export function isIdleClose(detail: ErrorDetail | undefined): boolean {
  return !!detail && IDLE_TIMEOUT.test(`${detail.code} ${detail.message}`);
}

/**
 * A refused WebSocket upgrade (HTTP status and body) as a state reason: 401/403 are the key,
 * 400/404 the URL or request (neither retried); anything else (429, 5xx) is retried on the backoff.
 */
export function refusalReason(status: number, body: string, secret: string): StateReason {
  let detail: string;
  try {
    const parsed = JSON.parse(body) as { message?: string; code?: string };
    detail = String(parsed.message || parsed.code || '');
  } catch {
    detail = redactRaw(body.slice(0, 200), secret);
  }
  const auth = status === 401 || status === 403;
  const message = auth
    ? `the service refused the API key (HTTP ${status})${detail ? ': ' + detail : ''}`
    : `the service refused the connection (HTTP ${status})${detail ? ': ' + detail : ''}`;
  return { message: redact(message, secret), code: status, retry: !auth && status !== 400 && status !== 404 };
}
