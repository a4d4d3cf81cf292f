/**
 * One realtime translation session over one WebSocket: bearer auth, session.update on open,
 * audio and image appends, typed server events, session.finish, reconnection with backoff,
 * a watchdog for stalled connections and rotation before the service's maximum session length.
 * Knows nothing of Node-RED.
 *
 * Accounting (docs/reliability.md): every audio frame handed to appendAudio() ends up in exactly
 * one of `audioFramesSent` (written to a socket), `audioFramesDropped` (dropped by the buffer
 * bound, or discarded by dispose()) or the queue (`queuedAudioFrames`). A frame whose write then
 * fails is also counted in `audioFramesFailed`; frames written to a connection that ended without
 * session.finished may or may not have reached the service and are counted in
 * `audioFramesUnconfirmed`.
 */
import WebSocket from 'ws';
import type { IncomingMessage } from 'node:http';
import type { ClientRequest } from 'node:http';
import {
  endpointUrl, isLoopbackHost, makeId, mergeSessionConfig, parseServerFrame,
  type ErrorDetail, type WireSessionConfig,
} from '../protocol';
import { Backoff, DEFAULT_BACKOFF } from './backoff';
import { audioAppendFrame, imageAppendFrame } from './append-frames';
import type {
  ConnectionRecord, DropReport, RealtimeSessionEvents, RealtimeSessionOptions, SessionState, SessionStats, StateReason,
} from './session-types';
import { BoundedByteQueue } from './send-queue';
import { TypedEmitter } from './typed-emitter';
import { redact, redactDeep, redactRaw } from './redact';
import { AudioLedger } from './audio-ledger';
import { isIdleClose, isTransientServiceError, refusalReason } from './error-classes';
import { WarningCoalescer } from '../util/warning-coalescer';

export type {
  SessionState, StateReason, RealtimeSessionOptions, SessionStats, DropReport, ConnectionRecord, RealtimeSessionEvents,
} from './session-types';

const DEFAULT_MAX_SESSION_MS = 110 * 60 * 1000;

export class RealtimeSession extends TypedEmitter<RealtimeSessionEvents> {
  private ws: WebSocket | undefined;
  private conn: ConnectionRecord | undefined;
  private currentState: SessionState = 'idle';
  private config: WireSessionConfig;
  private readonly backoff: Backoff;
  private readonly audioQueue: BoundedByteQueue;
  private pendingImage: { jpeg: Buffer; tokens: number } | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private retryAt = 0;
  private connectTimer: NodeJS.Timeout | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private rotateTimer: NodeJS.Timeout | undefined;
  private finishWaiters: Array<() => void> = [];
  private lastTraffic = 0;
  private closedByUs = false;
  private lastServerError: ErrorDetail | undefined;
  private socketError: string | undefined;
  /** The close code our side used when ws reports 1006 for a socket it closed itself (e.g. 1009). */
  private socketCloseCode: number | undefined;
  private disposed = false;
  private rotating = false;
  private audioSentOnSocket = false;
  private readonly failureReported = new WeakSet<WebSocket>();
  /** A server flooding bad frames or errors is said once a window, not once a frame. */
  private readonly problems = new WarningCoalescer({
    emit: (text, kind) => { this.emit('problem', text, this.problemDetails.get(kind)); },
  });
  private readonly problemDetails = new Map<string, ErrorDetail | undefined>();
  private readonly ledger = new AudioLedger((r) => this.emit('dropped', r));
  /** Counters of what was given, sent, dropped (see the accounting above). */
  readonly stats: SessionStats = this.ledger.stats;
  /** Audio bytes the queue dropped that were already counted. */
  private queueBytesCounted = 0;

  constructor(private readonly opts: RealtimeSessionOptions) {
    super();
    this.config = opts.config;
    this.backoff = new Backoff(opts.backoff || DEFAULT_BACKOFF);
    this.audioQueue = new BoundedByteQueue(Math.max(0, opts.maxQueuedAudioBytes ?? 160000));
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

  /** Audio frames waiting for the socket. */
  get queuedAudioFrames(): number {
    return this.audioQueue.length;
  }

  /** Bytes written to the socket and not yet handed to the kernel (for back-pressure). */
  get bufferedAmount(): number {
    return this.ws ? this.ws.bufferedAmount : 0;
  }

  /** The longest a reconnect waits (the backoff's ceiling). */
  get maxReconnectDelayMs(): number {
    return this.backoff.maxDelayMs;
  }

  /**
   * Opens the socket if it is not open or opening. A failed session is retried: the caller asked.
   * While a retry is scheduled nothing happens: the retry comes when the backoff says, however
   * much input or how many requests arrive meanwhile (a service that refuses must not be hammered).
   */
  connect(): void {
    if (this.disposed || this.reconnectTimer) return;
    if (this.currentState === 'connecting' || this.currentState === 'open' || this.currentState === 'closing') return;
    if (this.currentState === 'failed') this.backoff.reset();
    this.open();
  }

  /** When the scheduled retry will be made (epoch ms), or undefined when none is scheduled. */
  get nextRetryAt(): number | undefined {
    return this.reconnectTimer ? this.retryAt : undefined;
  }

  /** Sends PCM16 16 kHz mono; queued (bounded) while the socket is not open. */
  appendAudio(pcm16: Buffer): void {
    if (this.disposed || !Buffer.isBuffer(pcm16) || pcm16.length === 0) return;
    this.ledger.appended(pcm16.length);
    if (this.currentState === 'open' && this.writable()) {
      // In order: what waits in the queue goes first, and only while the socket keeps up.
      if (this.audioQueue.length > 0 && !this.backedUp()) this.flushQueued();
      if (this.audioQueue.length === 0 && !this.backedUp()) {
        this.sendAudioNow(pcm16);
        // A frame that waited for the session's first audio (the service refuses it before) goes now.
        if (this.pendingImage) this.sendPendingImage();
        return;
      }
    }
    this.countQueueDrops(this.audioQueue.push(pcm16), 'buffer-full');
    this.wakeUp();
  }

  /**
   * Sends a JPEG frame; while the socket is down only the latest frame is kept (latest wins).
   * `tokens` (what the frame is billed) is counted in the stats when the frame is written.
   */
  appendImage(jpeg: Buffer, tokens = 0): void {
    if (this.disposed || !Buffer.isBuffer(jpeg) || jpeg.length === 0) return;
    this.stats.imagesAppended++;
    if (this.currentState === 'open' && this.writable() && this.audioSentOnSocket) {
      this.sendImageNow(jpeg, tokens);
      return;
    }
    if (this.pendingImage) this.ledger.imagesDropped(1, 'replaced');
    this.pendingImage = { jpeg, tokens };
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
  finish(timeoutMs = this.opts.finishTimeoutMs ?? 10000, why = 'finished'): Promise<void> {
    this.clearReconnect();
    this.rotating = false;
    if (this.currentState !== 'open' || !this.writable()) {
      this.closeSocket(why);
      return Promise.resolve();
    }
    // Everything that waited goes before session.finish, back-pressure or not: it is the last utterance.
    this.flushQueued(true);
    this.sendJson({ event_id: makeId('event'), type: 'session.finish' });
    this.setState('closing', { message: why === 'rotating' ? 'rotating the session' : 'finishing', retry: true });
    const ws = this.ws;
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.finishWaiters = this.finishWaiters.filter((w) => w !== done);
        // Only the connection this finish was for: a later one (after a reconnect) is not ours to close.
        if (this.ws === ws) this.closeSocket(why);
        resolve();
      };
      const timer = setTimeout(() => this.guard(done), timeoutMs);
      this.finishWaiters.push(done);
    });
  }

  /** Closes at once; no reconnect until connect() or new input. */
  close(): void {
    this.clearReconnect();
    this.rotating = false;
    this.closeSocket('closed');
  }

  /** Closes and releases everything; the object cannot be used again. What was still queued is counted as dropped. */
  dispose(): void {
    if (this.disposed) return;
    this.close();
    const left = this.audioQueue.drain();
    if (left.length > 0) {
      this.ledger.dropped(left.length, left.reduce((n, b) => n + b.length, 0), 'disposed');
    }
    if (this.pendingImage) this.ledger.imagesDropped(1, 'disposed');
    this.pendingImage = undefined;
    this.disposed = true;
    this.problems.close();
    this.removeAllListeners();
  }

  // ------------------------------------------------------------------ internals

  private writable(): boolean {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  /** The socket holds more unsent bytes than the back-pressure limit (only while open: finishing flushes all). */
  private backedUp(): boolean {
    return this.currentState === 'open' && !!this.ws && this.ws.bufferedAmount > this.maxSocketBuffer;
  }
  private get maxSocketBuffer(): number {
    return this.opts.maxSocketBufferBytes ?? 131072;
  }

  private wakeUp(): void {
    if (this.currentState === 'idle' || this.currentState === 'closed') this.connect();
  }

  /** Counts (and reports) what the queue just dropped: `frames` items, the bytes since the last count. */
  private countQueueDrops(frames: number, reason: DropReport['reason']): void {
    if (frames <= 0) return;
    const bytes = this.audioQueue.droppedBytes - this.queueBytesCounted;
    this.queueBytesCounted = this.audioQueue.droppedBytes;
    this.ledger.dropped(frames, bytes, reason);
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
      this.fail({ message: redact((e as Error).message, this.opts.apiKey), retry: false });
      return;
    }
    this.closedByUs = false;
    this.lastServerError = undefined;
    this.socketError = undefined;
    this.socketCloseCode = undefined;
    this.audioSentOnSocket = false;
    this.setState('connecting');
    this.stats.connects++;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, {
        headers: {
          Authorization: `Bearer ${this.opts.apiKey}`,
          'User-Agent': this.opts.userAgent || 'node-red-contrib-qwen-livetranslate',
        },
        maxPayload: this.opts.maxFrameBytes ?? 8 * 1024 * 1024,
        handshakeTimeout: this.opts.connectTimeoutMs ?? 15000,
        perMessageDeflate: false,
      });
    } catch (e) {
      // e.g. a header value the HTTP stack refuses: retrying cannot help.
      this.fail({ message: `cannot connect: ${redact((e as Error).message, this.opts.apiKey)}`, retry: false });
      return;
    }
    const conn: ConnectionRecord = { audioFramesWritten: 0, audioBytesWritten: 0, audioFramesFailed: 0, imagesWritten: 0, finished: false, closed: false };
    this.ws = ws;
    this.conn = conn;
    this.connectTimer = setTimeout(() => this.guard(() => {
      if (this.ws === ws && this.currentState === 'connecting') {
        this.socketError = 'timed out waiting for the service to accept the session';
        ws.terminate();
      }
    }), this.opts.connectTimeoutMs ?? 15000);

    ws.on('open', () => this.guard(() => this.onOpen(ws)));
    ws.on('message', (data, isBinary) => this.guard(() => this.onMessage(ws, conn, data, isBinary)));
    ws.on('pong', () => { if (this.ws === ws) this.lastTraffic = Date.now(); });
    ws.on('unexpected-response', (req, res) => this.guard(() => this.onRefused(ws, req, res)));
    ws.on('error', (err) => this.guard(() => this.onSocketError(ws, err)));
    ws.on('close', (code, reason) => this.guard(() => this.onClose(ws, conn, code, reason.toString())));
    try {
      this.emit('connection', conn);
    } catch {
      // a listener's failure is not the connection's
    }
  }

  private onOpen(ws: WebSocket): void {
    if (this.ws !== ws) return;
    this.lastTraffic = Date.now();
    this.sendJson({ event_id: makeId('event'), type: 'session.update', session: this.config });
    this.startKeepAlive(ws);
  }

  private onMessage(ws: WebSocket, conn: ConnectionRecord, data: WebSocket.RawData, isBinary: boolean): void {
    if (this.ws !== ws) return;
    this.lastTraffic = Date.now();
    if (isBinary) {
      this.problem('binary-frame', 'ignored a binary frame from the service (it speaks JSON text frames)');
      return;
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8')
      : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    // A service (or a proxy) echoing our key must not carry it into flows and logs: masked in the
    // parsed values, however the frame escaped it.
    const key = this.opts.apiKey;
    const parsed = parseServerFrame(text);
    if (parsed.kind === 'invalid') {
      this.problem('bad-frame', `ignored a bad frame from the service: ${redactRaw(parsed.reason, key).slice(0, 200)}`);
      return;
    }
    if (parsed.kind === 'unknown') {
      this.emit('unknown', redact(parsed.type, key).slice(0, 100), redactDeep(parsed.raw, key));
      return;
    }
    const event = redactDeep(parsed.event, key);
    switch (event.type) {
      case 'session.created':
        if (event.session && typeof event.session.id === 'string') conn.sessionId = event.session.id;
        break;
      case 'session.updated':
        if (this.currentState === 'connecting') this.onReady();
        break;
      case 'error':
        this.emit('event', event);
        this.onServerError(ws, event.error && typeof event.error === 'object' ? event.error : { type: 'unknown', code: 'unknown', message: 'error without detail' });
        return;
      case 'session.finished':
        conn.finished = true;
        this.emit('event', event);
        for (const w of this.finishWaiters.slice()) w();
        return;
      default:
        break;
    }
    this.emit('event', event);
  }

  private onReady(): void {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.backoff.connected();
    this.setState('open');
    this.flushQueued();
    const max = this.opts.maxSessionMs ?? DEFAULT_MAX_SESSION_MS;
    if (max > 0 && isFinite(max)) {
      clearTimeout(this.rotateTimer);
      this.rotateTimer = setTimeout(() => this.guard(() => this.rotate()), max);
    }
  }

  /** Before the service's session limit: finish this session (its last words arrive) and open a new one. */
  private rotate(): void {
    this.rotateTimer = undefined;
    if (this.currentState !== 'open' || this.disposed) return;
    this.stats.rotations++;
    const finishing = this.finish(this.opts.finishTimeoutMs ?? 10000, 'rotating');
    this.rotating = true;
    finishing.then(() => this.guard(() => {
      if (!this.rotating || this.disposed) return;
      this.rotating = false;
      if (this.currentState === 'closed' || this.currentState === 'idle') this.connect();
    }), () => undefined);
  }

  private flushQueued(all = false): void {
    if (!this.writable() || (this.currentState !== 'open' && this.currentState !== 'closing')) return;
    const items = this.audioQueue.drain();
    for (let i = 0; i < items.length; i++) {
      if (!this.writable() || (!all && this.backedUp())) {
        // The rest waits for the socket: its next completed write flushes again (sendRaw).
        this.countQueueDrops(this.audioQueue.requeue(items.slice(i)), 'buffer-full');
        return;
      }
      this.sendAudioNow(items[i]);
    }
    this.sendPendingImage();
  }

  private sendPendingImage(): void {
    if (this.pendingImage && this.audioSentOnSocket && this.writable()) {
      const img = this.pendingImage;
      this.pendingImage = undefined;
      this.sendImageNow(img.jpeg, img.tokens);
    }
  }

  private onServerError(ws: WebSocket, detail: ErrorDetail): void {
    this.lastServerError = detail;
    const text = redact(`${detail.message || detail.code}`, this.opts.apiKey).slice(0, 500);
    if (this.currentState === 'connecting') {
      if (isTransientServiceError(detail)) {
        // Rate limit, quota, an internal error: the configuration is fine, try again later.
        this.socketError = `the service could not open the session: ${text}`;
        ws.terminate();
        return;
      }
      // The service refused our session.update: retrying the same configuration cannot help.
      this.fail({ message: `invalid session configuration: ${text}`, code: detail.code, retry: false });
      this.closedByUs = true;
      try { ws.close(1000); } catch { ws.terminate(); }
      return;
    }
    this.problem(`service-error:${detail.code}`, text, detail);
  }

  private onRefused(ws: WebSocket, req: ClientRequest, res: IncomingMessage): void {
    if (this.ws !== ws) return;
    const status = res.statusCode || 0;
    let body = '';
    let handled = false;
    const settle = () => this.guard(() => {
      if (handled) return;
      handled = true;
      clearTimeout(bodyTimer);
      try { req.destroy(); } catch { /* gone */ }
      if (this.ws !== ws) return;
      this.dropSocket();
      const reason = refusalReason(status, body, this.opts.apiKey);
      if (reason.retry) this.lostConnection(reason); else this.fail(reason);
    });
    // A refusal whose body never ends must not hold the session forever.
    const bodyTimer = setTimeout(settle, 2000);
    res.on('data', (chunk: Buffer) => { if (body.length < 2048) body += chunk.toString(); });
    res.on('error', () => settle());
    res.on('end', settle);
    res.on('close', settle);
  }

  private onSocketError(ws: WebSocket, err: Error): void {
    if (this.ws !== ws) return;
    // 'close' follows; remember why for the state reason.
    this.socketError = redact(err.message, this.opts.apiKey);
    if ((err as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.socketCloseCode = 1009;
  }

  private onClose(ws: WebSocket, conn: ConnectionRecord, code: number, reason: string): void {
    this.ledger.closed(conn, code);
    if (this.ws !== ws) return;
    this.dropSocket();
    for (const w of this.finishWaiters.slice()) w();
    if (this.closedByUs || this.currentState === 'failed') return;
    if (this.socketCloseCode !== undefined) code = this.socketCloseCode;
    const why = this.socketError || redact(reason, this.opts.apiKey) || (this.lastServerError && this.lastServerError.message) || `connection closed (code ${code})`;
    this.socketError = undefined;
    if (isIdleClose(this.lastServerError)) {
      // The service ends sessions that produced nothing for a while: reopen when there is input again.
      this.setState('closed', { message: 'closed by the service after inactivity', code, retry: true });
      if (this.audioQueue.length > 0 || this.pendingImage) this.connect();
      return;
    }
    this.lostConnection({ message: why.slice(0, 300), code, retry: true });
  }

  private lostConnection(reason: StateReason): void {
    this.backoff.disconnected();
    if (this.opts.reconnect === false || this.disposed) {
      this.setState('closed', reason);
      return;
    }
    const delay = this.backoff.next();
    this.clearReconnect();
    this.retryAt = Date.now() + delay;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.guard(() => this.connect());
    }, delay);
    this.setState('closed', {
      ...reason, message: `${reason.message}; retrying in ${Math.round(delay / 100) / 10} s`,
      retryAt: this.retryAt, attempts: this.backoff.attempts,
    });
  }

  private fail(reason: StateReason): void {
    this.clearReconnect();
    this.setState('failed', reason);
  }

  private closeSocket(why: string): void {
    const ws = this.ws;
    const conn = this.conn;
    this.closedByUs = true;
    this.dropSocket();
    // Whoever waits for this connection's session.finished waits no more.
    for (const w of this.finishWaiters.slice()) w();
    if (ws) {
      try {
        if (ws.readyState === WebSocket.OPEN) ws.close(1000, why);
        else ws.terminate();
      } catch {
        // A socket that cannot close politely is already gone.
      }
    }
    if (conn && ws && ws.readyState !== WebSocket.OPEN && ws.readyState !== WebSocket.CLOSING) this.ledger.closed(conn);
    if (this.currentState !== 'idle' && this.currentState !== 'failed') this.setState('closed', { message: why, retry: true });
  }

  /** Forgets the current socket and its timers (its late events are ignored). */
  private dropSocket(): void {
    clearTimeout(this.connectTimer);
    clearInterval(this.keepAliveTimer);
    clearTimeout(this.rotateTimer);
    this.connectTimer = undefined;
    this.keepAliveTimer = undefined;
    this.rotateTimer = undefined;
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState !== WebSocket.CLOSED && ws.readyState !== WebSocket.CLOSING && this.currentState !== 'open' && this.currentState !== 'closing') {
      try { ws.terminate(); } catch { /* already gone */ }
    }
  }

  private startKeepAlive(ws: WebSocket): void {
    const period = this.opts.keepAliveMs ?? 30000;
    clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = setInterval(() => this.guard(() => {
      if (this.ws !== ws) return;
      if (Date.now() - this.lastTraffic > 2 * period) {
        this.socketError = 'the connection stalled (no traffic from the service)';
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
    const conn = this.conn as ConnectionRecord;
    const text = audioAppendFrame(pcm16);
    this.audioSentOnSocket = true;
    const failed = this.ledger.audioWritten(conn, pcm16.length);
    this.sendRaw(text, (err) => { if (err) failed(); });
  }

  private sendImageNow(jpeg: Buffer, tokens: number): void {
    this.ledger.imageWritten(this.conn as ConnectionRecord, tokens);
    this.sendRaw(imageAppendFrame(jpeg));
  }

  private sendJson(event: object): void {
    this.sendRaw(JSON.stringify(event));
  }

  private sendRaw(text: string | Buffer, onError?: (err: Error) => void): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      if (onError) onError(new Error('socket not open'));
      return;
    }
    try {
      ws.send(text, { binary: false }, (err) => {
        if (!err) {
          // A write reached the network: audio held back by back-pressure may go now.
          if (this.audioQueue.length > 0 && this.ws === ws && this.currentState === 'open' && !this.backedUp()) {
            this.guard(() => this.flushQueued());
          }
          return;
        }
        this.guard(() => {
          if (onError) onError(err);
          // One word per connection: a dying socket fails every write still in its buffer.
          if (this.failureReported.has(ws)) return;
          this.failureReported.add(ws);
          this.problem('send-failed', `send failed: ${redact(err.message, this.opts.apiKey)}`);
        });
      });
    } catch (e) {
      this.guard(() => {
        if (onError) onError(e as Error);
        this.problem('send-failed', `send failed: ${redact((e as Error).message, this.opts.apiKey)}`);
      });
    }
  }

  /** A problem that did not end the session, said once per kind and window however often it repeats. */
  private problem(kind: string, message: string, detail?: ErrorDetail): void {
    this.problemDetails.set(kind, detail);
    this.problems.warn(kind, message);
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
        this.problem('internal', `internal error: ${redact((e as Error).message, this.opts.apiKey)}`);
      } catch {
        // A listener that throws while reporting a problem must not take the process down.
      }
    }
  }
}
