/**
 * Small helpers for the frames the simulator sends and checks: the `error` event and strict
 * base64 decoding (Node's own decoder silently skips garbage, which would hide client bugs).
 */
import type WebSocket from 'ws';
import { makeId } from '../protocol/ids';
import type { ClientEvent, ErrorEvent } from '../protocol/events';
import { parseClientFrame } from '../protocol/parse';

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

/** Client events that other realtime APIs have and this model rejects, with the reason why. */
const UNSUPPORTED: Record<string, string> = {
  'input_audio_buffer.commit': 'turn detection is done by the server: keep streaming audio, silence included, and the server commits each segment',
  'input_audio_buffer.clear': 'the input buffer is managed by the server VAD',
  'response.create': 'responses are created by the server for each detected speech segment',
  'response.cancel': 'responses cannot be cancelled; end the session with session.finish',
};

/** A client frame read: the event, or the `error` that answers it. */
export function readClientFrame(data: WebSocket.RawData, isBinary: boolean): ClientEvent | ErrorEvent {
  if (isBinary) return errorEvent(SIM_ERROR_CODES.invalidFrame, 'Binary frames are not supported: send JSON text frames.');
  const text = Buffer.isBuffer(data) ? data.toString('utf8')
    : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
  const parsed = parseClientFrame(text);
  if (parsed.kind === 'invalid') return errorEvent(SIM_ERROR_CODES.invalidJson, `Invalid event: ${parsed.reason}.`);
  if (parsed.kind === 'unknown') {
    const why = UNSUPPORTED[parsed.type];
    return why
      ? errorEvent(SIM_ERROR_CODES.unsupportedEvent, `'${parsed.type}' is not supported by this model: ${why}.`, 'type')
      : errorEvent(SIM_ERROR_CODES.invalidValue, `Invalid event type: '${parsed.type}'. Supported: session.update, input_audio_buffer.append, input_image_buffer.append, session.finish.`, 'type');
  }
  return parsed.event;
}

/** An append's base64 payload decoded, or the `error` that answers an unusable one. */
export function decodePayload(value: unknown, param: 'audio' | 'image'): Buffer | ErrorEvent {
  if (typeof value !== 'string') return errorEvent(SIM_ERROR_CODES.missingParameter, `Missing required parameter: '${param}' (a base64 string).`, param);
  const buf = decodeBase64Strict(value);
  if (typeof buf === 'string') return errorEvent(SIM_ERROR_CODES.invalidValue, `Invalid '${param}': ${buf}.`, param);
  if (buf.length === 0) return errorEvent(SIM_ERROR_CODES.invalidValue, `Invalid '${param}': empty.`, param);
  return buf;
}
