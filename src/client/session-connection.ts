/**
 * The connection lifecycle of a RealtimeSession: opening the socket (bearer auth, session.update
 * on open), the receive path (frames → the session's own handling → events to the listeners),
 * server errors, the watchdog, rotation before the service's session limit, losing a connection
 * and reconnecting with backoff, closing. RealtimeSession (realtime-session.ts) adds the public
 * API on top; the send path is uplink.ts. Knows nothing of Node-RED.
 */
import WebSocket from 'ws';
import { makeId, type ErrorDetail, type WireSessionConfig } from '../protocol';
import { DEFAULT_BACKOFF } from './backoff';
import type {
  ConnectionRecord, RealtimeSessionEvents, RealtimeSessionOptions, SessionState, SessionStats, StateReason,
} from './session-types';
import { TypedEmitter } from './typed-emitter';
import { redact } from './redact';
import { AudioLedger } from './audio-ledger';
import { isIdleClose, isTransientServiceError } from './error-classes';
import { WarningCoalescer } from '../util/warning-coalescer';
import { Uplink } from './uplink';
import { receiveFrame } from './receive';
import { checkedUrl, newSocket, readRefusal } from './socket-open';
import { ConnectionTimers } from './connection-timers';
import { Reconnect } from './reconnect';

const DEFAULT_MAX_SESSION_MS = 110 * 60 * 1000;

export abstract class SessionConnection extends TypedEmitter<RealtimeSessionEvents> {
  protected ws: WebSocket | undefined;
  protected conn: ConnectionRecord | undefined;
  protected currentState: SessionState = 'idle';
  protected config: WireSessionConfig;
  protected readonly opts: RealtimeSessionOptions;
  protected readonly reconnect: Reconnect;
  protected readonly timers = new ConnectionTimers((fn) => this.guard(fn));
  protected finishWaiters: Array<() => void> = [];
  protected closedByUs = false;
  protected lastServerError: ErrorDetail | undefined;
  protected socketError: string | undefined;
  /** The close code our side used when ws reports 1006 for a socket it closed itself (e.g. 1009). */
  protected socketCloseCode: number | undefined;
  protected disposed = false;
  /** A server flooding bad frames or errors is said once a window, not once a frame. */
  protected readonly problems = new WarningCoalescer({
    emit: (text, kind) => { this.emit('problem', text, this.problemDetails.get(kind)); },
  });
  protected readonly problemDetails = new Map<string, ErrorDetail | undefined>();
  protected readonly ledger = new AudioLedger((r) => this.emit('dropped', r));
  protected readonly uplink: Uplink;
  /** Counters of what was given, sent, dropped (see the accounting in realtime-session.ts). */
  readonly stats: SessionStats = this.ledger.stats;

  protected constructor(opts: RealtimeSessionOptions) {
    super();
    this.opts = opts;
    this.config = opts.config;
    this.reconnect = new Reconnect(opts.backoff || DEFAULT_BACKOFF);
    const session = this;
    this.uplink = new Uplink({
      get socket() { return session.ws; },
      get conn() { return session.conn; },
      get state() { return session.currentState; },
      problem: (kind, message) => this.problem(kind, message),
      guard: (fn) => this.guard(fn),
    }, this.ledger, opts);
  }

  /** Opens the socket unless open or opening (the public API decides when). */
  abstract connect(): void;
  /** Ends the session the way the service wants (rotation uses it too). */
  abstract finish(timeoutMs?: number, why?: string): Promise<void>;
  /** Before the service's session limit: a new session replaces this one. */
  protected abstract rotate(): void;

  protected writable(): boolean {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  protected open(): void {
    let url: string;
    try {
      url = checkedUrl(this.opts);
    } catch (e) {
      this.fail({ message: redact((e as Error).message, this.opts.apiKey), retry: false });
      return;
    }
    this.closedByUs = false;
    this.lastServerError = undefined;
    this.socketError = undefined;
    this.socketCloseCode = undefined;
    this.uplink.newConnection();
    this.setState('connecting');
    this.stats.connects++;
    let ws: WebSocket;
    try {
      ws = newSocket(url, this.opts);
    } catch (e) {
      // e.g. a header value the HTTP stack refuses: retrying cannot help.
      this.fail({ message: `cannot connect: ${redact((e as Error).message, this.opts.apiKey)}`, retry: false });
      return;
    }
    const conn: ConnectionRecord = { audioFramesWritten: 0, audioBytesWritten: 0, audioFramesFailed: 0, imagesWritten: 0, finished: false, closed: false };
    this.ws = ws;
    this.conn = conn;
    this.timers.connecting(this.opts.connectTimeoutMs ?? 15000, () => {
      if (this.ws === ws && this.currentState === 'connecting') {
        this.socketError = 'timed out waiting for the service to accept the session';
        ws.terminate();
      }
    });

    ws.on('open', () => this.guard(() => this.onOpen(ws)));
    ws.on('message', (data, isBinary) => this.guard(() => this.onMessage(ws, conn, data, isBinary)));
    ws.on('pong', () => { if (this.ws === ws) this.timers.traffic(); });
    ws.on('unexpected-response', (req, res) => this.guard(() => {
      if (this.ws !== ws) return;
      readRefusal(req, res, this.opts.apiKey, (fn) => this.guard(fn), (reason) => {
        if (this.ws !== ws) return;
        this.dropSocket();
        if (reason.retry) this.lostConnection(reason); else this.fail(reason);
      });
    }));
    ws.on('error', (err) => this.guard(() => this.onSocketError(ws, err)));
    ws.on('close', (code, reason) => this.guard(() => this.onClose(ws, conn, code, reason.toString())));
    try {
      this.emit('connection', conn);
    } catch {
      // a listener's failure is not the connection's
    }
  }

  protected onOpen(ws: WebSocket): void {
    if (this.ws !== ws) return;
    this.timers.traffic();
    this.uplink.sendJson({ event_id: makeId('event'), type: 'session.update', session: this.config });
    const period = this.opts.keepAliveMs ?? 30000;
    this.timers.keepAlive(ws, period, () => this.ws === ws, () => {
      this.socketError = 'the connection stalled (no traffic from the service)';
      ws.terminate();
    });
  }

  /** The receive path: a frame → an event to the listeners, after what the session itself does with it. */
  protected onMessage(ws: WebSocket, conn: ConnectionRecord, data: WebSocket.RawData, isBinary: boolean): void {
    if (this.ws !== ws) return;
    this.timers.traffic();
    const received = receiveFrame(data, isBinary, this.opts.apiKey);
    if (received.kind === 'problem') return this.problem(received.problem, received.message);
    if (received.kind === 'unknown') return void this.emit('unknown', received.type, received.raw);
    const event = received.event;
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

  protected onReady(): void {
    this.timers.accepted();
    this.reconnect.backoff.connected();
    this.setState('open');
    this.uplink.flush();
    const max = this.opts.maxSessionMs ?? DEFAULT_MAX_SESSION_MS;
    if (max > 0 && isFinite(max)) this.timers.rotateAfter(max, () => this.rotate());
  }

  protected onServerError(ws: WebSocket, detail: ErrorDetail): void {
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

  protected onSocketError(ws: WebSocket, err: Error): void {
    if (this.ws !== ws) return;
    // 'close' follows; remember why for the state reason.
    this.socketError = redact(err.message, this.opts.apiKey);
    if ((err as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.socketCloseCode = 1009;
  }

  protected onClose(ws: WebSocket, conn: ConnectionRecord, code: number, reason: string): void {
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
      if (this.uplink.waiting) this.connect();
      return;
    }
    this.lostConnection({ message: why.slice(0, 300), code, retry: true });
  }

  protected lostConnection(reason: StateReason): void {
    this.reconnect.backoff.disconnected();
    if (this.opts.reconnect === false || this.disposed) {
      this.setState('closed', reason);
      return;
    }
    const delay = this.reconnect.schedule(() => this.guard(() => this.connect()));
    this.setState('closed', {
      ...reason, message: `${reason.message}; retrying in ${Math.round(delay / 100) / 10} s`,
      retryAt: this.reconnect.nextRetryAt, attempts: this.reconnect.backoff.attempts,
    });
  }

  protected fail(reason: StateReason): void {
    this.reconnect.cancel();
    this.setState('failed', reason);
  }

  protected closeSocket(why: string): void {
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
  protected dropSocket(): void {
    this.timers.clear();
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState !== WebSocket.CLOSED && ws.readyState !== WebSocket.CLOSING && this.currentState !== 'open' && this.currentState !== 'closing') {
      try { ws.terminate(); } catch { /* already gone */ }
    }
  }

  /** A problem that did not end the session, said once per kind and window however often it repeats. */
  protected problem(kind: string, message: string, detail?: ErrorDetail): void {
    this.problemDetails.set(kind, detail);
    this.problems.warn(kind, message);
  }

  protected setState(state: SessionState, reason?: StateReason): void {
    this.currentState = state;
    this.emit('state', state, reason);
  }

  /** Socket callbacks must never throw into ws (and from there out of the process). */
  protected guard(fn: () => void): void {
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
