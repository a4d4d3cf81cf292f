/**
 * The simulator's server: an HTTP server whose upgrades on `…/api-ws/v1/realtime` become
 * simulated sessions after the bearer key is checked, as the service does it.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { DEFAULT_MODEL } from '../protocol/catalog';
import { bearerKey, isAuthorized, rawHttpResponse, unauthorizedBody } from './auth';
import type { InjectableError } from './faults';
import { SimSession, type SessionSettings } from './session';
import type { SimSessionRecord, SimulatorOptions, UpgradeFault } from './types';
import { resolveVariants, type ResolvedVariants } from './variants';
import { SceneBook } from './scenes';

const HTTP_REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export const REALTIME_PATH = '/api-ws/v1/realtime';
const KNOWN_MODEL = /^qwen3-livetranslate-flash-realtime(-\d{4}-\d{2}-\d{2})?$/;

export class Simulator extends EventEmitter {
  readonly sessions: SimSessionRecord[] = [];
  /** Upgrades refused so far (bad key: 401; wrong path: 404), e.g. to check a client does not retry in a loop. */
  rejectedUpgrades = 0;
  /** Refused upgrades by HTTP status. */
  readonly refusals: Record<number, number> = {};
  private readonly live = new Set<SimSession>();
  private readonly armed: Array<{ fault: UpgradeFault; match?: (url: URL) => boolean }> = [];
  private readonly hanging = new Set<Socket>();
  private readonly opts: SimulatorOptions;
  private readonly variants: ResolvedVariants;
  /** The scenes' reference thumbnails, computed once (start() waits for them). */
  private readonly scenes: Promise<SceneBook>;
  private sceneBook: SceneBook | undefined;
  private http: Server | null = null;
  private wss: WebSocketServer | null = null;
  private baseUrl = '';

  constructor(opts: SimulatorOptions = {}) {
    super();
    this.opts = opts;
    this.variants = resolveVariants(opts.variants);
    this.scenes = SceneBook.load(opts.scenes, (line) => this.log(line));
  }

  /** The base URL, e.g. ws://127.0.0.1:PORT/api-ws/v1/realtime (empty before start()). */
  get url(): string {
    return this.baseUrl;
  }

  openSockets(): number {
    return this.live.size;
  }

  /** Sends a raw text frame to every live session, or to the one with this id (fault injection). */
  inject(frame: string | object, sessionId?: string): number {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    return this.each(sessionId, (s) => s.sendRaw(text));
  }

  /** Cuts every live connection, or the one with this id, without a close frame (fault injection). */
  drop(sessionId?: string): number {
    return this.each(sessionId, (s) => s.terminate());
  }

  /** Closes with a WebSocket close code and reason (1006 and other unsendable codes become a cut). */
  closeWith(code: number, reason = '', sessionId?: string): number {
    return this.each(sessionId, (s) => s.faults.closeWith(code, reason));
  }

  /** Sends a binary frame (the service only speaks JSON text). */
  injectBinary(data: Buffer, sessionId?: string): number {
    return this.each(sessionId, (s) => s.faults.sendBinary(data));
  }

  /** Sends one of the service's error events: rate limit, quota, internal error, idle timeout (then closes). */
  injectError(kind: InjectableError, sessionId?: string): number {
    return this.each(sessionId, (s) => s.faults.sendError(kind));
  }

  /** A text frame of about `bytes` bytes: a valid event with a huge field. */
  injectOversized(bytes: number, sessionId?: string): number {
    const pad = 'x'.repeat(Math.max(0, bytes - 60));
    return this.inject(`{"type":"response.text.text","text":"${pad}","response_id":"resp_x","item_id":"item_x"}`, sessionId);
  }

  /** Stops sending and reading (events held, pings unanswered); resumes after `ms` when given. */
  stall(sessionId?: string, ms?: number): number {
    return this.each(sessionId, (s) => s.faults.stall(ms));
  }

  resume(sessionId?: string): number {
    return this.each(sessionId, (s) => s.faults.resume());
  }

  /** Extra delay before each reply step of one session (undefined: back to `faults.delayMs`). */
  delay(ms: number | undefined, sessionId?: string): number {
    return this.each(sessionId, (s) => s.faults.setDelay(ms));
  }

  /** Cut the connection after `n` more events. */
  dropAfter(n: number, sessionId?: string): number {
    return this.each(sessionId, (s) => s.faults.dropAfter(n));
  }

  /**
   * Arms a fault for the next upgrade whose URL `match` accepts (every upgrade when omitted):
   * refuse with an HTTP status, accept and stay silent, or never answer the HTTP request.
   * Used once, then disarmed.
   */
  armUpgrade(fault: UpgradeFault, match?: (url: URL) => boolean): void {
    this.armed.push({ fault, match });
  }

  /** Forgets every armed upgrade fault. */
  disarmUpgrades(): void {
    this.armed.length = 0;
  }

  /** Upgrade faults armed and not yet used. */
  get armedUpgrades(): number {
    return this.armed.length;
  }

  /** Live session ids whose upgrade URL `match` accepts. */
  liveSessions(match?: (rec: SimSessionRecord) => boolean): SimSessionRecord[] {
    const out: SimSessionRecord[] = [];
    for (const s of this.live) if (!match || match(s.record)) out.push(s.record);
    return out;
  }

  private each(sessionId: string | undefined, fn: (s: SimSession) => void): number {
    let n = 0;
    for (const s of [...this.live]) {
      if (sessionId && s.record.id !== sessionId) continue;
      try {
        fn(s);
      } catch (err) {
        this.log(`fault injection failed: ${(err as Error).message}`);
      }
      n++;
    }
    return n;
  }

  async start(): Promise<string> {
    if (this.http) throw new Error('simulator already started');
    this.sceneBook = await this.scenes;
    return this.listen();
  }

  private listen(): Promise<string> {
    const host = this.opts.host || '127.0.0.1';
    const http = createServer((req, res) => {
      // Plain HTTP gets a hint, not a page: this is a WebSocket endpoint.
      res.writeHead(426, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end(JSON.stringify({ code: 'UpgradeRequired', message: `Connect with a WebSocket to ${REALTIME_PATH}?model=${DEFAULT_MODEL}` }));
      req.resume();
    });
    this.http = http;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.opts.maxFrameBytes ?? 16 * 1024 * 1024 });
    http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      try {
        this.upgrade(req, socket, head);
      } catch (err) {
        this.log(`upgrade failed: ${(err as Error).message}`);
        socket.destroy();
      }
    });
    return new Promise((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.opts.port || 0, host, () => {
        http.off('error', reject);
        http.on('error', (err) => this.log(`server error: ${err.message}`));
        const { port } = http.address() as AddressInfo;
        const h = host.indexOf(':') >= 0 ? `[${host}]` : host;
        this.baseUrl = `ws://${h}:${port}${REALTIME_PATH}`;
        resolve(this.baseUrl);
      });
    });
  }

  async stop(): Promise<void> {
    for (const s of [...this.live]) s.terminate();
    this.live.clear();
    for (const socket of this.hanging) socket.destroy();
    this.hanging.clear();
    this.armed.length = 0;
    const wss = this.wss;
    const http = this.http;
    this.wss = null;
    this.http = null;
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }

  private log(line: string): void {
    if (this.opts.log) this.opts.log(line);
  }

  private refuse(socket: Socket, status: number, reason: string, body: string): void {
    this.rejectedUpgrades++;
    this.refusals[status] = (this.refusals[status] || 0) + 1;
    socket.on('error', () => undefined);
    socket.end(rawHttpResponse(status, reason, body));
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', (err) => this.log(`socket error during upgrade: ${err.message}`));
    const url = new URL(req.url || '/', 'http://localhost');
    if (!url.pathname.endsWith(REALTIME_PATH)) {
      this.refuse(socket, 404, 'Not Found', JSON.stringify({ code: 'NotFound', message: `No endpoint at ${url.pathname}; use ${REALTIME_PATH}.` }));
      return;
    }
    const faults = this.opts.faults || {};
    const armedIndex = this.armed.findIndex((a) => !a.match || a.match(url));
    const armed = armedIndex >= 0 ? this.armed.splice(armedIndex, 1)[0].fault : undefined;
    if (faults.hangUpgrade || (armed && armed.kind === 'hang')) {
      // Accepted at TCP level, never answered: the client's handshake timeout must end it.
      this.log('fault: leaving an upgrade unanswered');
      this.hanging.add(socket);
      socket.on('close', () => this.hanging.delete(socket));
      return;
    }
    const refuseStatus = armed && armed.kind === 'refuse' ? armed.status
      : faults.refuseAuth ? (faults.refuseAuth === 403 ? 403 : 401)
        : faults.refuseUpgrade;
    if (refuseStatus === 401 || (refuseStatus === undefined && !isAuthorized(bearerKey(req.headers.authorization), this.opts.apiKey))) {
      this.log(`refused a connection: missing or wrong API key (401)`);
      this.refuse(socket, 401, 'Unauthorized', unauthorizedBody());
      return;
    }
    if (refuseStatus !== undefined) {
      this.log(`fault: refusing an upgrade with HTTP ${refuseStatus}`);
      const body = refuseStatus === 403
        ? JSON.stringify({ code: 'AccessDenied', message: 'Access denied.' })
        : JSON.stringify({ code: refuseStatus === 429 ? 'Throttling' : 'ServiceUnavailable', message: `Simulated refusal (HTTP ${refuseStatus}).` });
      this.refuse(socket, refuseStatus, HTTP_REASONS[refuseStatus] || 'Error', body);
      return;
    }
    const silent = !!faults.silent || (armed !== undefined && armed.kind === 'silent');
    // Unknown models are accepted and echoed in session.created (a mock should not stand in the
    // way of a new snapshot name); the log says so.
    const model = url.searchParams.get('model') || DEFAULT_MODEL;
    if (!KNOWN_MODEL.test(model)) this.log(`note: unknown model '${model}' accepted as if it were ${DEFAULT_MODEL}`);
    const wss = this.wss;
    if (!wss) {
      socket.destroy();
      return;
    }
    const path = (req.url || '/').slice(0, 500);
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => this.open(ws, model, path, silent));
  }

  private open(ws: WebSocket, model: string, url = '', silent = false): void {
    if (!this.wss) {
      ws.terminate();
      return;
    }
    const o = this.opts;
    const settings: SessionSettings = {
      model,
      script: o.script || [],
      variants: this.variants,
      scenes: this.sceneBook,
      silenceMs: o.silenceMs ?? 800,
      speechThreshold: o.speechThreshold ?? -45,
      realtime: o.realtime ?? true,
      log: (line) => this.log(line),
      faults: () => this.opts.faults,
      url,
      silent,
    };
    const session = new SimSession(ws, settings, (rec) => {
      this.live.delete(session);
      this.emit('close', rec);
    });
    this.live.add(session);
    this.sessions.push(session.record);
    this.log(`${session.record.id} opened (model ${model})`);
    this.emit('session', session.record);
  }
}
