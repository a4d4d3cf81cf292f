/**
 * One realtime translation session over one WebSocket: bearer auth, session.update on open,
 * audio and image appends, typed server events, session.finish, reconnection with backoff,
 * a watchdog for stalled connections and rotation before the service's maximum session length.
 * Knows nothing of Node-RED. This is the public API; the connection's lifecycle and the receive
 * path are in session-connection.ts, the send path in uplink.ts.
 *
 * Accounting (docs/reliability.md): every audio frame handed to appendAudio() ends up in exactly
 * one of `audioFramesSent` (written to a socket), `audioFramesDropped` (dropped by the buffer
 * bound, or discarded by dispose()) or the queue (`queuedAudioFrames`). A frame whose write then
 * fails is also counted in `audioFramesFailed`; frames written to a connection that ended without
 * session.finished may or may not have reached the service and are counted in
 * `audioFramesUnconfirmed`.
 */
import { makeId, mergeSessionConfig, type WireSessionConfig } from '../protocol';
import type { RealtimeSessionOptions, SessionState } from './session-types';
import { SessionConnection } from './session-connection';

export type {
  SessionState, StateReason, RealtimeSessionOptions, SessionStats, DropReport, ConnectionRecord, RealtimeSessionEvents,
} from './session-types';

export class RealtimeSession extends SessionConnection {
  /** A rotation is under way: when its finish completes, a new connection opens. */
  private rotating = false;

  constructor(opts: RealtimeSessionOptions) {
    super(opts);
  }

  get state(): SessionState { return this.currentState; }
  get sessionConfig(): WireSessionConfig { return this.config; }
  /** Whether audio has been sent on the current connection (the service wants audio before images). */
  get audioStarted(): boolean { return this.uplink.audioStarted; }
  /** Audio frames waiting for the socket. */
  get queuedAudioFrames(): number { return this.uplink.queuedAudioFrames; }
  /** Bytes written to the socket and not yet handed to the kernel (for back-pressure). */
  get bufferedAmount(): number { return this.ws ? this.ws.bufferedAmount : 0; }
  /** The longest a reconnect waits (the backoff's ceiling). */
  get maxReconnectDelayMs(): number { return this.reconnect.backoff.maxDelayMs; }
  /** When the scheduled retry will be made (epoch ms), or undefined when none is scheduled. */
  get nextRetryAt(): number | undefined { return this.reconnect.nextRetryAt; }

  /**
   * Opens the socket if it is not open or opening. A failed session is retried: the caller asked.
   * While a retry is scheduled nothing happens: the retry comes when the backoff says, however
   * much input or how many requests arrive meanwhile (a service that refuses must not be hammered).
   */
  connect(): void {
    if (this.disposed || this.reconnect.scheduled) return;
    if (this.currentState === 'connecting' || this.currentState === 'open' || this.currentState === 'closing') return;
    if (this.currentState === 'failed') this.reconnect.backoff.reset();
    this.open();
  }

  /** Sends PCM16 16 kHz mono; queued (bounded) while the socket is not open. */
  appendAudio(pcm16: Buffer): void {
    if (this.disposed || !Buffer.isBuffer(pcm16) || pcm16.length === 0) return;
    this.ledger.appended(pcm16.length);
    if (!this.uplink.audio(pcm16)) this.wakeUp();
  }

  /**
   * Sends a JPEG frame; while the socket is down only the latest frame is kept (latest wins).
   * `tokens` (what the frame is billed) is counted in the stats when the frame is written.
   */
  appendImage(jpeg: Buffer, tokens = 0): void {
    if (this.disposed || !Buffer.isBuffer(jpeg) || jpeg.length === 0) return;
    this.stats.imagesAppended++;
    if (!this.uplink.image(jpeg, tokens)) this.wakeUp();
  }

  /** Changes the configuration; sent at once when open, and on every later (re)connect. */
  update(update: WireSessionConfig): void {
    this.config = mergeSessionConfig(this.config, update);
    if (this.currentState === 'failed' && this.lastServerError) {
      // A configuration the service refused may now be right: try again.
      this.lastServerError = undefined;
      this.setState('idle');
    }
    if (this.currentState === 'open') this.uplink.sendJson({ event_id: makeId('event'), type: 'session.update', session: update });
  }

  /**
   * Ends the session the way the service wants: session.finish, wait (bounded) for
   * session.finished so the last utterance is not lost, then close.
   */
  finish(timeoutMs = this.opts.finishTimeoutMs ?? 10000, why = 'finished'): Promise<void> {
    this.reconnect.cancel();
    this.rotating = false;
    if (this.currentState !== 'open' || !this.writable()) {
      this.closeSocket(why);
      return Promise.resolve();
    }
    // Everything that waited goes before session.finish, back-pressure or not: it is the last utterance.
    this.uplink.flush(true);
    this.uplink.sendJson({ event_id: makeId('event'), type: 'session.finish' });
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
    this.reconnect.cancel();
    this.rotating = false;
    this.closeSocket('closed');
  }

  /** Closes and releases everything; the object cannot be used again. What was still queued is counted as dropped. */
  dispose(): void {
    if (this.disposed) return;
    this.close();
    this.uplink.discard();
    this.disposed = true;
    this.problems.close();
    this.removeAllListeners();
  }

  private wakeUp(): void {
    if (this.currentState === 'idle' || this.currentState === 'closed') this.connect();
  }

  /** Before the service's session limit: finish this session (its last words arrive) and open a new one. */
  protected rotate(): void {
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
}
