/**
 * Small helpers for the frames the simulator sends and checks: the `error` event and strict
 * base64 decoding (Node's own decoder silently skips garbage, which would hide client bugs).
 */
import { makeId } from '../protocol/ids';
import type { ErrorEvent } from '../protocol/events';

/** Error codes the simulator uses where docs/protocol.md leaves the code open (see docs/simulator.md). */
export const SIM_ERROR_CODES = {
  invalidValue: 'invalid_value',
  missingParameter: 'missing_required_parameter',
  invalidJson: 'invalid_json',
  invalidFrame: 'invalid_frame',
  unsupportedEvent: 'unsupported_event',
  invalidState: 'invalid_state',
  rateLimit: 'rate_limit_exceeded',
} as const;

export function errorEvent(code: string, message: string, param: string | null = null): ErrorEvent {
  return { event_id: makeId('event'), type: 'error', error: { type: 'invalid_request_error', code, message, param } };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes canonical base64; returns a reason string when the text is not valid base64. */
export function decodeBase64Strict(text: string): Buffer | string {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return 'not valid base64';
  return Buffer.from(text, 'base64');
}
