import { SERVER_EVENT_TYPES, type ServerEvent, CLIENT_EVENT_TYPES, type ClientEvent } from './events';

/** Server events we know, typed; anything else is reported as `unknown` and never throws. */
export type ParsedServerFrame =
  | { kind: 'event'; event: ServerEvent }
  | { kind: 'unknown'; type: string; raw: Record<string, unknown> }
  | { kind: 'invalid'; reason: string };

const KNOWN_SERVER = new Set<string>(SERVER_EVENT_TYPES);
const KNOWN_CLIENT = new Set<string>(CLIENT_EVENT_TYPES);

function parseObject(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `malformed JSON: ${(e as Error).message}`;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'frame is not a JSON object';
  const type = (value as Record<string, unknown>).type;
  if (typeof type !== 'string') return 'frame has no "type"';
  return value as Record<string, unknown>;
}

export function parseServerFrame(text: string): ParsedServerFrame {
  const obj = parseObject(text);
  if (typeof obj === 'string') return { kind: 'invalid', reason: obj };
  const type = obj.type as string;
  if (!KNOWN_SERVER.has(type)) return { kind: 'unknown', type, raw: obj };
  return { kind: 'event', event: obj as unknown as ServerEvent };
}

export type ParsedClientFrame =
  | { kind: 'event'; event: ClientEvent }
  | { kind: 'unknown'; type: string }
  | { kind: 'invalid'; reason: string };

export function parseClientFrame(text: string): ParsedClientFrame {
  const obj = parseObject(text);
  if (typeof obj === 'string') return { kind: 'invalid', reason: obj };
  const type = obj.type as string;
  if (!KNOWN_CLIENT.has(type)) return { kind: 'unknown', type };
  return { kind: 'event', event: obj as unknown as ClientEvent };
}
