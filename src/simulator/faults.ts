/**
 * Fault injection for one simulated session, apart from the session's normal work: held (stalled)
 * output, cuts after N events, extra reply delay, the service's error events, the maximum session
 * length and the idle close. The session hands every outgoing frame to `write()` here, which
 * decides whether it goes out now, later, or ends the connection.
 */
import WebSocket from 'ws';
import type { ServerEvent } from '../protocol/events';
import { makeId } from '../protocol/ids';
import { errorEvent } from './frames';
import type { SimFaults } from './types';

/** The service-side `error` events a test can inject (messages seen on the platform; docs/protocol.md §6). */
export const INJECTABLE_ERRORS = {
  rate_limit: { type: 'invalid_request_error', code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded, please try again later.' },
  quota: { type: 'invalid_request_error', code: 'Throttling.AllocationQuota', message: 'Allocated quota exceeded, please increase your quota limit.' },
  internal: { type: 'server_error', code: 'InternalError', message: 'Internal service error: null' },
  idle_timeout: { type: 'invalid_request_error', code: 'response_idle_timeout', message: 'Your session was closed because no response was generated for 300 seconds.' },
} as const;
export type InjectableError = keyof typeof INJECTABLE_ERRORS;

/** What the fault injector needs from its session. */
export interface FaultTarget {
  readonly ws: WebSocket;
  readonly id: string;
  /** Types of the events sent so far (the session's record). */
  readonly eventsSent: string[];
  faults(): SimFaults | undefined;
  log(line: string): void;
  send(event: ServerEvent): void;
  /** Drops pending reply steps (the session is closing). */
  cancelReplies(): void;
  /** Closes every timer of the session and its faults. */
  dispose(): void;
  /** Runs a timer callback so that nothing it throws escapes. */
  guard(fn: () => void): void;
  /** True once session.finish arrived: no idle clock any more. */
  readonly finishing: boolean;
}

export class SessionFaults {
  /** Stalled: nothing is sent (frames are held) and nothing is read, not even pings. */
  private held: Array<{ text: string; type?: string }> | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private maxTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private delayOverride: number | undefined;
  private dropAtEvents: number | undefined;

  constructor(private readonly t: FaultTarget) {}

  /** Arms the maximum session length (faults.maxSessionMs) for a session that just opened. */
  armMaxLength(): void {
    const max = this.t.faults()?.maxSessionMs;
    if (!max || max <= 0) return;
    this.maxTimer = setTimeout(() => this.t.guard(() => {
      this.maxTimer = null;
      this.t.log(`${this.t.id} reached the maximum session length: closing`);
      this.t.send(errorEvent('session_expired', `The session reached its maximum duration of ${Math.round(max / 1000)} seconds.`));
      this.closeWith(1000, 'maximum session length');
    }), max);
  }

  /** Sends a frame unless held; records its type and cuts the connection when a drop is due. */
  write(text: string, type?: string): void {
    const ws = this.t.ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    if (this.held) {
      this.held.push({ text, type });
      return;
    }
    ws.send(text, () => undefined);
    if (type === undefined) return;
    this.t.eventsSent.push(type);
    const n = this.t.eventsSent.length;
    const drop = this.t.faults()?.dropAfterEvents;
    if ((drop !== undefined && n >= drop) || (this.dropAtEvents !== undefined && n >= this.dropAtEvents)) {
      this.t.log(`${this.t.id} fault: dropping the connection after ${n} events`);
      this.terminate();
    }
  }

  /** Ends the session at once: no close handshake, no timers left. */
  terminate(): void {
    this.t.dispose();
    this.t.ws.terminate();
  }

  /** Sends a binary frame (the service speaks JSON text frames only). */
  sendBinary(data: Buffer): void {
    if (this.t.ws.readyState !== WebSocket.OPEN) return;
    this.t.ws.send(data, { binary: true }, () => undefined);
  }

  /** Closes with this WebSocket code and reason; 1005/1006/1015 cannot be sent and become a cut. */
  closeWith(code: number, reason = ''): void {
    this.resume();
    if (code === 1005 || code === 1006 || code === 1015 || code < 1000 || code > 4999) {
      this.terminate();
      return;
    }
    this.t.dispose();
    try {
      this.t.ws.close(code, reason.slice(0, 120));
    } catch {
      this.t.ws.terminate();
    }
  }

  /** Sends one of the service's error events; an idle timeout then closes the socket, as the service does. */
  sendError(kind: InjectableError): void {
    const e = INJECTABLE_ERRORS[kind];
    this.t.send({ event_id: makeId('event'), type: 'error', error: { type: e.type, code: e.code, message: e.message, param: null } });
    if (kind === 'idle_timeout') {
      this.t.cancelReplies();
      this.closeWith(1000, 'idle timeout');
    }
  }

  /** Stops sending and reading (a black-holed connection); resumes after `ms` when given. */
  stall(ms?: number): void {
    if (this.held) return;
    this.held = [];
    const socket = (this.t.ws as unknown as { _socket?: { pause(): void } })._socket;
    if (socket) socket.pause();
    if (ms !== undefined) this.stallTimer = setTimeout(() => this.t.guard(() => this.resume()), ms);
  }

  resume(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    const held = this.held;
    if (!held) return;
    this.held = null;
    const socket = (this.t.ws as unknown as { _socket?: { resume(): void } })._socket;
    if (socket) socket.resume();
    for (const h of held) this.write(h.text, h.type);
  }

  /** Extra delay before each reply step of this session (overrides the simulator-wide one). */
  setDelay(ms: number | undefined): void {
    this.delayOverride = ms;
  }

  /** The extra delay now in force for each reply step. */
  extraDelay(): number {
    return this.delayOverride !== undefined ? this.delayOverride : (this.t.faults()?.delayMs || 0);
  }

  /** Cut the connection once `n` more events have been sent. */
  dropAfter(n: number): void {
    this.dropAtEvents = this.t.eventsSent.length + Math.max(1, n);
  }

  /** The service closes sessions that generate no response for ~300 s (docs/protocol.md §6). */
  restartIdleClock(): void {
    this.stopIdleClock();
    const ms = this.t.faults()?.idleTimeoutMs;
    if (!ms || ms <= 0 || this.t.finishing || this.t.ws.readyState !== WebSocket.OPEN) return;
    this.idleTimer = setTimeout(() => this.t.guard(() => {
      this.idleTimer = null;
      const seconds = Math.round(ms / 100) / 10;
      this.t.log(`${this.t.id} idle for ${seconds} s: closing`);
      this.t.send(errorEvent('response_idle_timeout',
        `Your session was closed because no response was generated for ${seconds} seconds.`));
      this.t.cancelReplies();
      this.t.ws.close(1000, 'idle timeout');
    }), ms);
  }

  stopIdleClock(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** Clears every timer and forgets held frames. */
  dispose(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    if (this.maxTimer) clearTimeout(this.maxTimer);
    this.maxTimer = null;
    this.held = null;
    this.stopIdleClock();
  }
}
