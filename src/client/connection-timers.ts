/**
 * The timers of one connection: the wait for the service to accept the session, the keep-alive
 * ping that also notices a stalled connection (no traffic for two periods), and the rotation
 * before the service's maximum session length. All cleared together when the socket is dropped.
 */
import WebSocket from 'ws';

export class ConnectionTimers {
  private connectTimer: NodeJS.Timeout | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private rotateTimer: NodeJS.Timeout | undefined;
  private lastTraffic = 0;
  private readonly guard: (fn: () => void) => void;

  /** `guard` runs every timer callback so that nothing it throws escapes. */
  constructor(guard: (fn: () => void) => void) {
    this.guard = guard;
  }

  /** Something came from the service (a message, a pong). */
  traffic(): void {
    this.lastTraffic = Date.now();
  }

  /** Calls `timedOut` if the session is not accepted within `ms`. */
  connecting(ms: number, timedOut: () => void): void {
    this.connectTimer = setTimeout(() => this.guard(timedOut), ms);
  }

  accepted(): void {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  /** Pings `ws` every `periodMs`; calls `stalled` when nothing came for two periods. `current`: ws is still the session's. */
  keepAlive(ws: WebSocket, periodMs: number, current: () => boolean, stalled: () => void): void {
    clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = setInterval(() => this.guard(() => {
      if (!current()) return;
      if (Date.now() - this.lastTraffic > 2 * periodMs) {
        stalled();
        return;
      }
      if (ws.readyState === WebSocket.OPEN) ws.ping();
    }), periodMs);
  }

  /** Calls `rotate` after `ms` (replacing an earlier one). */
  rotateAfter(ms: number, rotate: () => void): void {
    clearTimeout(this.rotateTimer);
    this.rotateTimer = setTimeout(() => {
      this.rotateTimer = undefined;
      this.guard(rotate);
    }, ms);
  }

  clear(): void {
    clearTimeout(this.connectTimer);
    clearInterval(this.keepAliveTimer);
    clearTimeout(this.rotateTimer);
    this.connectTimer = undefined;
    this.keepAliveTimer = undefined;
    this.rotateTimer = undefined;
  }
}
