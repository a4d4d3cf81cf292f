/**
 * One realtime translation session over one WebSocket: bearer auth, session.update on open,
 * audio and image appends, typed server events, session.finish, reconnection with backoff.
 * Knows nothing of Node-RED.
 */
import WebSocket from 'ws';
import type { IncomingMessage } from 'node:http';
import type { ClientRequest } from 'node:http';
import {
  endpointUrl, isLoopbackHost, makeId, mergeSessionConfig, parseServerFrame,
  type ErrorDetail, type ServerEvent, type WireSessionConfig,
} from '../protocol';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { BoundedByteQueue } from './send-queue';
import { TypedEmitter } from './typed-emitter';
import { redact } from './redact';

export type SessionState = 'idle' | 'connecting' | 'open' | 'closing' | 'closed' | 'failed';

/** Why a session stopped; `retry` says whether reconnecting can help without a change. */
export interface StateReason {
  message: string;
  /** HTTP status of a refused upgrade, WebSocket close code, or the service's error code. */
  code?: string | number;
  retry: boolean;
}

export interface RealtimeSessionOptions {
  /** `cn`, `intl` or a ws(s):// URL. */
  endpoint: string;
  model?: string;
  apiKey: string;
  config: WireSessionConfig;
  /** Permit plain ws:// to a host other than loopback (the key would travel in clear). */
  allowInsecure?: boolean;
  /** Reconnect by itself after an unexpected drop (default true). */
  reconnect?: boolean;
  backoff?: BackoffOptions;
  /** Bytes of audio kept while the socket is down (default 160000 = 5 s of 16 kHz PCM16). */
  maxQueuedAudioBytes?: number;
  /** How long to wait for session.finished after session.finish (default 10 s). */
  finishTimeoutMs?: number;
  /** Handshake plus session.updated must arrive within this (default 15 s). */
  connectTimeoutMs?: number;
  /** Ping period; a connection with no traffic for two periods is dropped (default 30 s). */
  keepAliveMs?: number;
  /** Largest server frame accepted (default 8 MiB). */
  maxFrameBytes?: number;
  userAgent?: string;
}

export interface SessionStats {
  audioBytesSent: number;
  audioAppends: number;
  imagesSent: number;
  audioBytesDropped: number;
  imagesDropped: number;
  connects: number;
}

export interface RealtimeSessionEvents {
  state: (state: SessionState, reason?: StateReason) => void;
  /** Every well-formed server event, typed. */
  event: (event: ServerEvent) => void;
  /** A frame with a type this client does not know (passed on, not an error). */
  unknown: (type: string, raw: Record<string, unknown>) => void;
  /** A problem that did not end the session: a bad frame, a server `error` event, a drop. */
  problem: (message: string, detail?: ErrorDetail) => void;
}

const IDLE_TIMEOUT_PATTERN = /no response was generated|idle/i;

export class RealtimeSession extends TypedEmitter<RealtimeSessionEvents> {
  private ws: WebSocket | undefined;
  private currentState: SessionState = 'idle';
  private config: WireSessionConfig;
  private readonly backoff: Backoff;
  private readonly audioQueue: BoundedByteQueue;
  private pendingImage: Buffer | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private finishWaiters: Array<() => void> = [];
  private lastTraffic = 0;
  private closedByUs = false;
  private lastServerError: ErrorDetail | undefined;
  private disposed = false;
  readonly stats: SessionStats = { audioBytesSent: 0, audioAppends: 0, imagesSent: 0, audioBytesDropped: 0, imagesDropped: 0, connects: 0 };

  constructor(private readonly opts: RealtimeSessionOptions) {
    super();
    this.config = opts.config;
    this.backoff = new Backoff(opts.backoff || DEFAULT_BACKOFF);
    this.audioQueue = new BoundedByteQueue(opts.maxQueuedAudioBytes ?? 160000);
  }

  get state(): SessionState {
    return this.currentState;
  }

  get sessionConfig(): WireSessionConfig {
    return this.config;
  }

  /** Whether audio has been sent on the current connection (the service wants audio before images). */
  get audioStarted(): boolean {
    return this.audioSentOnSocket;
  }
  private audioSentOnSocket = false;

  /** Opens the socket if it is not open or opening. A failed session is retried: the caller asked. */
  connect(): void {
    if (this.disposed) return;
    if (this.currentState === 'connecting' || this.currentState === 'open' || this.currentState === 'closing') return;
    this.clearReconnect();
    this.open();
  }

  /** Sends PCM16 16 kHz mono; queued (bounded) while the socket is not open. */
  appendAudio(pcm16: Buffer): void {
    if (pcm16.length === 0 || this.disposed) return;
    if (this.currentState === 'open' && this.ws) {
      this.sendAudioNow(pcm16);
      return;
    }
    const before = this.audioQueue.droppedBytes;
    this.audioQueue.push(pcm16);
    const dropped = this.audioQueue.droppedBytes - before;
    if (dropped > 0) this.stats.audioBytesDropped += dropped;
    this.wakeUp();
  }

  /** Sends a JPEG frame; while the socket is down only the latest frame is kept. */
  appendImage(jpeg: Buffer): void {
    if (this.disposed) return;
    if (this.currentState === 'open' && this.ws && this.audioSentOnSocket) {
      this.sendImageNow(jpeg);
      return;
    }
    if (this.pendingImage) this.stats.imagesDropped++;
    this.pendingImage = jpeg;
    this.wakeUp();
  }

  /** Changes the configuration; sent at once when open, and on every later (re)connect. */
  update(update: WireSessionConfig): void {
    this.config = mergeSessionConfig(this.config, update);
    if (this.currentState === 'failed' && this.lastServerError) {
      // A configuration the service refused may now be right: try again.
      this.lastServerError = undefined;
      this.setState('idle');
    }
    if (this.currentState === 'open') this.sendJson({ event_id: makeId('event'), type: 'session.update', session: update });
  }

  /**
   * Ends the session the way the service wants: session.finish, wait (bounded) for
   * session.finished so the last utterance is not lost, then close.
   */
  finish(timeoutMs = this.opts.finishTimeoutMs ?? 10000): Promise<void> {
    this.clearReconnect();
    if (this.currentState !== 'open' || !this.ws) {
      this.closeSocket('finished');
      return Promise.resolve();
    }
    this.flushQueued();
    this.sendJson({ event_id: makeId('event'), type: 'session.finish' });
    this.setState('closing', { message: 'finishing', retry: true });
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.finishWaiters = this.finishWaiters.filter((w) => w !== done);
        this.closeSocket('finished');
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.finishWaiters.push(done);
    });
  }

  /** Closes at once; no reconnect until connect() or new input. */
  close(): void {
    this.clearReconnect();
    this.closeSocket('closed');
  }

  /** Closes and releases everything; the object cannot be used again. */
  dispose(): void {
    this.close();
    this.disposed = true;
    this.audioQueue.drain();
    this.pendingImage = undefined;
    this.removeAllListeners();
  }

  // ------------------------------------------------------------------ internals

  private wakeUp(): void {
    if (this.currentState === 'idle' || this.currentState === 'closed') this.connect();
  }

  private open(): void {
    let url: string;
    try {
      url = endpointUrl(this.opts.endpoint, this.opts.model);
      const parsed = new URL(url);
      if (parsed.protocol === 'ws:' && !isLoopbackHost(parsed.hostname) && !this.opts.allowInsecure) {
        throw new Error(`refusing plain ws:// to ${parsed.hostname}: the API key would travel unencrypted (use wss:// or allow insecure connections)`);
      }
      if (!this.opts.apiKey) throw new Error('no API key: set it in the session node or the DASHSCOPE_API_KEY environment variable');
    } catch (e) {
      this.fail({ message: (e as Error).message, retry: false });
      return;
    }
    this.closedByUs = false;
    this.lastServerError = undefined;
    this.audioSentOnSocket = false;
    this.setState('connecting');
    this.stats.connects++;
    const ws = new WebSocket(url, {
      headers: {
        Authorization: `Bearer ${this.opts.apiKey}`,
        'User-Agent': this.opts.userAgent || 'node-red-contrib-qwen-livetranslate',
      },
      maxPayload: this.opts.maxFrameBytes ?? 8 * 1024 * 1024,
      handshakeTimeout: this.opts.connectTimeoutMs ?? 15000,
      perMessageDeflate: false,
    });
    this.ws = ws;
    this.connectTimer = setTimeout(() => {
      if (this.ws === ws && this.currentState === 'connecting') {
        this.emit('problem', 'timed out waiting for the service to accept the session');
        ws.terminate();
      }
    }, this.opts.connectTimeoutMs ?? 15000);

    ws.on('open', () => this.guard(() => this.onOpen(ws)));
    ws.on('message', (data, isBinary) => this.guard(() => this.onMessage(ws, data, isBinary)));
    ws.on('pong', () => { this.lastTraffic = Date.now(); });
    ws.on('unexpected-response', (req, res) => this.guard(() => this.onRefused(ws, req, res)));
    ws.on('error', (err) => this.guard(() => this.onSocketError(ws, err)));
    ws.on('close', (code, reason) => this.guard(() => this.onClose(ws, code, reason.toString())));
  }

  private onOpen(ws: WebSocket): void {
    if (this.ws !== ws) return;
    this.lastTraffic = Date.now();
    this.sendJson({ event_id: makeId('event'), type: 'session.update', session: this.config });
    this.startKeepAlive(ws);
  }

  private onMessage(ws: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
    if (this.ws !== ws) return;
    this.lastTraffic = Date.now();
    if (isBinary) {
      this.emit('problem', 'ignored a binary frame from the service (it speaks JSON text frames)');
      return;
    }
    const parsed = parseServerFrame(data.toString());
    if (parsed.kind === 'invalid') {
      this.emit('problem', `ignored a bad frame from the service: ${parsed.reason}`);
      return;
    }
    if (parsed.kind === 'unknown') {
      this.emit('unknown', parsed.type, parsed.raw);
      return;
    }
    const event = parsed.event;
    switch (event.type) {
      case 'session.updated':
        if (this.currentState === 'connecting') this.onReady();
        break;
      case 'error':
        this.onServerError(ws, event.error || { type: 'unknown', code: 'unknown', message: 'error without detail' });
        break;
      case 'session.finished':
        for (const w of this.finishWaiters.slice()) w();
        break;
      default:
        break;
    }
    this.emit('event', event);
  }

  private onReady(): void {
    clearTimeout(this.connectTimer);
    this.backoff.connected();
    this.setState('open');
    this.flushQueued();
  }

  private flushQueued(): void {
    if (!this.ws || (this.currentState !== 'open' && this.currentState !== 'closing')) return;
    for (const chunk of this.audioQueue.drain()) this.sendAudioNow(chunk);
    if (this.pendingImage && this.audioSentOnSocket) {
      const img = this.pendingImage;
      this.pendingImage = undefined;
      this.sendImageNow(img);
    }
  }

  private onServerError(ws: WebSocket, detail: ErrorDetail): void {
    this.lastServerError = detail;
    const text = redact(`${detail.message || detail.code}`, this.opts.apiKey);
    if (this.currentState === 'connecting') {
      // The service refused our session.update: retrying the same configuration cannot help.
      this.fail({ message: `invalid session configuration: ${text}`, code: detail.code, retry: false });
      this.closedByUs = true;
      ws.close(1000);
      return;
    }
    this.emit('problem', text, detail);
  }

  private onRefused(ws: WebSocket, _req: ClientRequest, res: IncomingMessage): void {
    if (this.ws !== ws) return;
    const status = res.statusCode || 0;
    let body = '';
    res.on('data', (chunk: Buffer) => { if (body.length < 2048) body += chunk.toString(); });
    res.on('error', () => undefined);
    res.on('end', () => this.guard(() => {
      let detail: string;
      try {
        const parsed = JSON.parse(body) as { message?: string; code?: string };
        detail = parsed.message || parsed.code || '';
      } catch {
        detail = body.slice(0, 200);
      }
      const auth = status === 401 || status === 403;
      const message = auth
        ? `the service refused the API key (HTTP ${status})${detail ? ': ' + detail : ''}`
        : `the service refused the connection (HTTP ${status})${detail ? ': ' + detail : ''}`;
      this.dropSocket();
      const reason = { message: redact(message, this.opts.apiKey), code: status, retry: !auth && status !== 400 && status !== 404 };
      if (reason.retry) this.lostConnection(reason); else this.fail(reason);
    }));
  }

  private onSocketError(ws: WebSocket, err: Error): void {
    if (this.ws !== ws) return;
    // 'close' follows; remember why for the state reason.
    this.socketError = redact(err.message, this.opts.apiKey);
  }
  private socketError: string | undefined;

  private onClose(ws: WebSocket, code: number, reason: string): void {
    if (this.ws !== ws) return;
    this.dropSocket();
    for (const w of this.finishWaiters.slice()) w();
    if (this.closedByUs || this.currentState === 'failed') return;
    const why = this.socketError || redact(reason, this.opts.apiKey) || (this.lastServerError && this.lastServerError.message) || `connection closed (code ${code})`;
    this.socketError = undefined;
    if (this.lastServerError && IDLE_TIMEOUT_PATTERN.test(this.lastServerError.message || '')) {
      // The service ends sessions that produced nothing for a while: reopen when there is input again.
      this.setState('closed', { message: 'closed by the service after inactivity', code, retry: true });
      return;
    }
    this.lostConnection({ message: why, code, retry: true });
  }

  private lostConnection(reason: StateReason): void {
    this.backoff.disconnected();
    if (this.opts.reconnect === false || this.disposed) {
      this.setState('closed', reason);
      return;
    }
    const delay = this.backoff.next();
    this.setState('closed', { ...reason, message: `${reason.message}; retrying in ${Math.round(delay / 100) / 10} s` });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.guard(() => this.connect());
    }, delay);
  }

  private fail(reason: StateReason): void {
    this.clearReconnect();
    this.setState('failed', reason);
  }

  private closeSocket(why: string): void {
    const ws = this.ws;
    this.closedByUs = true;
    this.dropSocket();
    if (ws) {
      try {
        if (ws.readyState === WebSocket.OPEN) ws.close(1000, why);
        else ws.terminate();
      } catch {
        // A socket that cannot close politely is already gone.
      }
    }
    if (this.currentState !== 'idle' && this.currentState !== 'failed') this.setState('closed', { message: why, retry: true });
  }

  /** Forgets the current socket and its timers (its late events are ignored). */
  private dropSocket(): void {
    clearTimeout(this.connectTimer);
    clearInterval(this.keepAliveTimer);
    this.connectTimer = undefined;
    this.keepAliveTimer = undefined;
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState !== WebSocket.CLOSED && ws.readyState !== WebSocket.CLOSING && this.currentState !== 'open' && this.currentState !== 'closing') {
      try { ws.terminate(); } catch { /* already gone */ }
    }
  }

  private startKeepAlive(ws: WebSocket): void {
    const period = this.opts.keepAliveMs ?? 30000;
    this.keepAliveTimer = setInterval(() => this.guard(() => {
      if (this.ws !== ws) return;
      if (Date.now() - this.lastTraffic > 2 * period) {
        this.emit('problem', 'no traffic from the service; reconnecting');
        ws.terminate();
        return;
      }
      if (ws.readyState === WebSocket.OPEN) ws.ping();
    }), period);
  }

  private clearReconnect(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private sendAudioNow(pcm16: Buffer): void {
    // A template, not JSON.stringify: base64 needs no escaping and the string can be large.
    this.sendRaw('{"type":"input_audio_buffer.append","audio":"' + pcm16.toString('base64') + '"}');
    this.audioSentOnSocket = true;
    this.stats.audioBytesSent += pcm16.length;
    this.stats.audioAppends++;
  }

  private sendImageNow(jpeg: Buffer): void {
    this.sendRaw('{"type":"input_image_buffer.append","image":"' + jpeg.toString('base64') + '"}');
    this.stats.imagesSent++;
  }

  private sendJson(event: object): void {
    this.sendRaw(JSON.stringify(event));
  }

  private sendRaw(text: string): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(text, (err) => {
      if (err) this.emit('problem', `send failed: ${redact(err.message, this.opts.apiKey)}`);
    });
  }

  private setState(state: SessionState, reason?: StateReason): void {
    this.currentState = state;
    this.emit('state', state, reason);
  }

  /** Socket callbacks must never throw into ws (and from there out of the process). */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      try {
        this.emit('problem', `internal error: ${redact((e as Error).message, this.opts.apiKey)}`);
      } catch {
        // A listener that throws while reporting a problem must not take the process down.
      }
    }
  }
}
