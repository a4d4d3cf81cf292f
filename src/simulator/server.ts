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
import { SimSession, type SessionSettings } from './session';
import type { SimSessionRecord, SimulatorOptions } from './types';

export const REALTIME_PATH = '/api-ws/v1/realtime';
const KNOWN_MODEL = /^qwen3-livetranslate-flash-realtime(-\d{4}-\d{2}-\d{2})?$/;

export class Simulator extends EventEmitter {
  readonly sessions: SimSessionRecord[] = [];
  /** Upgrades refused so far (bad key: 401; wrong path: 404), e.g. to check a client does not retry in a loop. */
  rejectedUpgrades = 0;
  private readonly live = new Set<SimSession>();
  private readonly opts: SimulatorOptions;
  private http: Server | null = null;
  private wss: WebSocketServer | null = null;
  private baseUrl = '';

  constructor(opts: SimulatorOptions = {}) {
    super();
    this.opts = opts;
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
    let n = 0;
    for (const s of this.live) {
      if (sessionId && s.record.id !== sessionId) continue;
      s.sendRaw(text);
      n++;
    }
    return n;
  }

  /** Cuts every live connection, or the one with this id, without a close frame (fault injection). */
  drop(sessionId?: string): number {
    let n = 0;
    for (const s of [...this.live]) {
      if (sessionId && s.record.id !== sessionId) continue;
      s.terminate();
      n++;
    }
    return n;
  }

  start(): Promise<string> {
    if (this.http) return Promise.reject(new Error('simulator already started'));
    const host = this.opts.host || '127.0.0.1';
    const http = createServer((req, res) => {
      // Plain HTTP gets a hint, not a page: this is a WebSocket endpoint.
      res.writeHead(426, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end(JSON.stringify({ code: 'UpgradeRequired', message: `Connect with a WebSocket to ${REALTIME_PATH}?model=${DEFAULT_MODEL}` }));
      req.resume();
    });
    this.http = http;
    this.wss = new WebSocketServer({ noServer: true });
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
    if (this.opts.faults?.refuseAuth || !isAuthorized(bearerKey(req.headers.authorization), this.opts.apiKey)) {
      this.log(`refused a connection: missing or wrong API key (401)`);
      this.refuse(socket, 401, 'Unauthorized', unauthorizedBody());
      return;
    }
    // Unknown models are accepted and echoed in session.created (a mock should not stand in the
    // way of a new snapshot name); the log says so.
    const model = url.searchParams.get('model') || DEFAULT_MODEL;
    if (!KNOWN_MODEL.test(model)) this.log(`note: unknown model '${model}' accepted as if it were ${DEFAULT_MODEL}`);
    const wss = this.wss;
    if (!wss) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => this.open(ws, model));
  }

  private open(ws: WebSocket, model: string): void {
    if (!this.wss) {
      ws.terminate();
      return;
    }
    const o = this.opts;
    const settings: SessionSettings = {
      model,
      script: o.script || [],
      silenceMs: o.silenceMs ?? 800,
      speechThreshold: o.speechThreshold ?? -45,
      realtime: o.realtime ?? true,
      log: (line) => this.log(line),
      faults: () => this.opts.faults,
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
