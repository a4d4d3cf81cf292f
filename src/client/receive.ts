/**
 * The receive path's first step: a WebSocket message from the service → a typed server event, an
 * unknown event type, or a problem (binary or bad frame). Every value is masked for the API key: a
 * service (or a proxy) echoing the key must not carry it into flows and logs, however the frame
 * escaped it.
 */
import type WebSocket from 'ws';
import { parseServerFrame, type ServerEvent } from '../protocol';
import { mayNeedRedaction, redact, redactDeep, redactRaw } from './redact';

export type Received =
  | { kind: 'event'; event: ServerEvent }
  | { kind: 'unknown'; type: string; raw: Record<string, unknown> }
  | { kind: 'problem'; problem: 'binary-frame' | 'bad-frame'; message: string };

export function receiveFrame(data: WebSocket.RawData, isBinary: boolean, apiKey: string): Received {
  if (isBinary) return { kind: 'problem', problem: 'binary-frame', message: 'ignored a binary frame from the service (it speaks JSON text frames)' };
  const text = Buffer.isBuffer(data) ? data.toString('utf8')
    : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
  const parsed = parseServerFrame(text);
  if (parsed.kind === 'invalid') {
    return { kind: 'problem', problem: 'bad-frame', message: `ignored a bad frame from the service: ${redactRaw(parsed.reason, apiKey).slice(0, 200)}` };
  }
  const walk = mayNeedRedaction(text, apiKey);
  if (parsed.kind === 'unknown') return { kind: 'unknown', type: redact(parsed.type, apiKey).slice(0, 100), raw: walk ? redactDeep(parsed.raw, apiKey) : parsed.raw };
  return { kind: 'event', event: walk ? redactDeep(parsed.event, apiKey) : parsed.event };
}
