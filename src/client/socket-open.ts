/**
 * Opening a connection to the service: the URL checked (no API key over plain ws:// to another
 * host, no connection without a key), the WebSocket made with bearer auth, and an upgrade the
 * service refused read into a state reason (its body read bounded in size and time).
 */
import WebSocket from 'ws';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { endpointUrl, isLoopbackHost } from '../protocol';
import { refusalReason } from './error-classes';
import type { RealtimeSessionOptions, StateReason } from './session-types';

/** The URL to connect to; throws (with words for the user) when connecting must not be tried. */
export function checkedUrl(opts: RealtimeSessionOptions): string {
  const url = endpointUrl(opts.endpoint, opts.model);
  const parsed = new URL(url);
  if (parsed.protocol === 'ws:' && !isLoopbackHost(parsed.hostname) && !opts.allowInsecure) {
    throw new Error(`refusing plain ws:// to ${parsed.hostname}: the API key would travel unencrypted (use wss:// or allow insecure connections)`);
  }
  if (!opts.apiKey) throw new Error('no API key: set it in the session node or the DASHSCOPE_API_KEY environment variable');
  return url;
}

/**
 * RFC 6455 masks what a client sends so that script in a browser cannot put bytes of its choosing
 * on the wire where a transparent proxy would read them as HTTP (§10.3). Inside TLS no proxy reads
 * them, and on loopback there is none: there every frame gets the key 0, which ws recognises and
 * does not apply, saving a copy and an XOR pass over every audio append (the server unmasks with
 * the key in the frame, whatever it is). Plain ws:// to another host keeps random keys.
 */
export function masksFrames(url: string): boolean {
  const u = new URL(url);
  return u.protocol !== 'wss:' && !isLoopbackHost(u.hostname);
}

/** The ws client options that give every frame to `url` the masking its connection calls for. */
export function maskingFor(url: string): Pick<WebSocket.ClientOptions, 'generateMask'> {
  return masksFrames(url) ? {} : { generateMask: zeroMask };
}

function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

export function newSocket(url: string, opts: RealtimeSessionOptions): WebSocket {
  return new WebSocket(url, {
    ...maskingFor(url),
    headers: {
      Authorization: `Bearer ${opts.apiKey}`,
      'User-Agent': opts.userAgent || 'node-red-contrib-qwen-livetranslate',
    },
    maxPayload: opts.maxFrameBytes ?? 8 * 1024 * 1024,
    handshakeTimeout: opts.connectTimeoutMs ?? 15000,
    perMessageDeflate: false,
  });
}

/**
 * Reads the response to a refused upgrade and calls `settle` once with the reason. A refusal whose
 * body never ends must not hold the session forever: 2 s at most.
 */
export function readRefusal(
  req: ClientRequest, res: IncomingMessage, apiKey: string, guard: (fn: () => void) => void, settle: (reason: StateReason) => void,
): void {
  const status = res.statusCode || 0;
  let body = '';
  let handled = false;
  const end = () => guard(() => {
    if (handled) return;
    handled = true;
    clearTimeout(bodyTimer);
    try { req.destroy(); } catch { /* gone */ }
    settle(refusalReason(status, body, apiKey));
  });
  const bodyTimer = setTimeout(end, 2000);
  res.on('data', (chunk: Buffer) => { if (body.length < 2048) body += chunk.toString(); });
  res.on('error', () => end());
  res.on('end', end);
  res.on('close', end);
}
