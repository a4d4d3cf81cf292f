/**
 * The send path of a RealtimeSession: audio and image appends written to the current socket in
 * order, a bounded queue while the socket is down or backed up, the latest image held until the
 * connection's first audio (the service refuses images before it) and spaced on the wire within
 * the service's image rate, every write counted in the ledger when it is made. The session owns
 * the socket; this writes to whichever is current.
 */
import WebSocket from 'ws';
import { IMAGE_MAX_PER_SECOND } from '../protocol';
import { audioAppendFrame, imageAppendFrame } from './append-frames';
import type { AudioLedger } from './audio-ledger';
import { redact } from './redact';
import { BoundedByteQueue } from './send-queue';
import type { ConnectionRecord, DropReport, SessionState } from './session-types';

/** What the send path reads of the session that owns the socket. */
export interface UplinkHost {
  readonly socket: WebSocket | undefined;
  readonly conn: ConnectionRecord | undefined;
  readonly state: SessionState;
  /** A problem that did not end the session (said once per kind and window). */
  problem(kind: string, message: string): void;
  /** Runs a callback from the socket so that nothing it throws escapes into ws. */
  guard(fn: () => void): void;
}

export interface UplinkOptions {
  maxQueuedAudioBytes?: number;
  maxSocketBufferBytes?: number;
  apiKey: string;
}

/**
 * The least time between two image writes: 5 % over the service's 1/2 s. The service counts images as
 * they arrive, in a bucket that allows a burst of 2; writes spaced like this leave one image of that
 * burst unused, so network jitter never lands a refused image. Held images count: the one released by
 * the first audio is spaced from the next like any other.
 */
const IMAGE_GAP_MS = 1000 / (IMAGE_MAX_PER_SECOND * 0.95);

export class Uplink {
  private readonly host: UplinkHost;
  private readonly ledger: AudioLedger;
  private readonly apiKey: string;
  private readonly maxSocketBuffer: number;
  private readonly audioQueue: BoundedByteQueue;
  private pendingImage: { jpeg: Buffer; tokens: number } | undefined;
  /** When the last image was written (performance.now()), and the timer that writes a held one when its gap ends. */
  private lastImageAt = -Infinity;
  private imageTimer: NodeJS.Timeout | undefined;
  /** Audio bytes the queue dropped that were already counted. */
  private queueBytesCounted = 0;
  private audioSentOnSocket = false;
  private readonly failureReported = new WeakSet<WebSocket>();

  constructor(host: UplinkHost, ledger: AudioLedger, opts: UplinkOptions) {
    this.host = host;
    this.ledger = ledger;
    this.apiKey = opts.apiKey;
    this.maxSocketBuffer = opts.maxSocketBufferBytes ?? 131072;
    this.audioQueue = new BoundedByteQueue(Math.max(0, opts.maxQueuedAudioBytes ?? 160000));
  }

  /** Audio frames waiting for the socket. */
  get queuedAudioFrames(): number { return this.audioQueue.length; }
  /** Whether audio has been sent on the current connection. */
  get audioStarted(): boolean { return this.audioSentOnSocket; }
  /** Audio or an image waits to be sent. */
  get waiting(): boolean { return this.audioQueue.length > 0 || !!this.pendingImage; }

  /** A new connection: the service has heard no audio on it yet. */
  newConnection(): void { this.audioSentOnSocket = false; }

  /** Writes the frame now when the socket takes it, else queues it (bounded); false when it waits. */
  audio(pcm16: Buffer): boolean {
    if (this.host.state === 'open' && this.writable()) {
      // In order: what waits in the queue goes first, and only while the socket keeps up.
      if (this.audioQueue.length > 0 && !this.backedUp()) this.flush();
      if (this.audioQueue.length === 0 && !this.backedUp()) {
        this.sendAudioNow(pcm16);
        // A frame that waited for the session's first audio (the service refuses it before) goes now.
        if (this.pendingImage) this.sendPendingImage();
        return true;
      }
    }
    this.countQueueDrops(this.audioQueue.push(pcm16), 'buffer-full');
    return false;
  }

  /**
   * Writes the image now when the socket is open, audio started and the last image is far enough back;
   * else keeps it (latest wins) until then. False when it waits for the socket or the audio.
   */
  image(jpeg: Buffer, tokens: number): boolean {
    const open = this.host.state === 'open' && this.writable() && this.audioSentOnSocket;
    if (open && !this.pendingImage && this.imageGapLeft() <= 0) {
      this.sendImageNow(jpeg, tokens);
      return true;
    }
    if (this.pendingImage) this.ledger.imagesDropped(1, 'replaced');
    this.pendingImage = { jpeg, tokens };
    if (open) this.sendPendingImage();
    return open;
  }

  /** Writes what waits: while the socket keeps up, or (`all`, finishing) regardless of back-pressure. */
  flush(all = false): void {
    const state = this.host.state;
    if (!this.writable() || (state !== 'open' && state !== 'closing')) return;
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

  sendJson(event: object): void {
    this.sendRaw(JSON.stringify(event));
  }

  /** Counts everything still waiting as dropped (`disposed`) and forgets it. */
  discard(): void {
    clearTimeout(this.imageTimer);
    this.imageTimer = undefined;
    const left = this.audioQueue.drain();
    if (left.length > 0) this.ledger.dropped(left.length, left.reduce((n, b) => n + b.length, 0), 'disposed');
    if (this.pendingImage) this.ledger.imagesDropped(1, 'disposed');
    this.pendingImage = undefined;
  }

  private writable(): boolean {
    const ws = this.host.socket;
    return !!ws && ws.readyState === WebSocket.OPEN;
  }

  /** The socket holds more unsent bytes than the back-pressure limit (only while open: finishing flushes all). */
  private backedUp(): boolean {
    const ws = this.host.socket;
    return this.host.state === 'open' && !!ws && ws.bufferedAmount > this.maxSocketBuffer;
  }

  /** Counts (and reports) what the queue just dropped: `frames` items, the bytes since the last count. */
  private countQueueDrops(frames: number, reason: DropReport['reason']): void {
    if (frames <= 0) return;
    const bytes = this.audioQueue.droppedBytes - this.queueBytesCounted;
    this.queueBytesCounted = this.audioQueue.droppedBytes;
    this.ledger.dropped(frames, bytes, reason);
  }

  private imageGapLeft(): number {
    return this.lastImageAt + IMAGE_GAP_MS - performance.now();
  }

  /** Writes the held image when audio started on this socket and its gap has passed; else sets a timer for the gap. */
  private sendPendingImage(): void {
    if (!this.pendingImage || !this.audioSentOnSocket || !this.writable()) return;
    const wait = this.imageGapLeft();
    if (wait > 0) {
      this.imageTimer ??= setTimeout(() => {
        this.imageTimer = undefined;
        this.host.guard(() => { if (this.host.state === 'open') this.sendPendingImage(); });
      }, wait);
      return;
    }
    const img = this.pendingImage;
    this.pendingImage = undefined;
    this.sendImageNow(img.jpeg, img.tokens);
  }

  private sendAudioNow(pcm16: Buffer): void {
    const conn = this.host.conn as ConnectionRecord;
    const text = audioAppendFrame(pcm16);
    this.audioSentOnSocket = true;
    const failed = this.ledger.audioWritten(conn, pcm16.length);
    this.sendRaw(text, (err) => { if (err) failed(); });
  }

  private sendImageNow(jpeg: Buffer, tokens: number): void {
    this.lastImageAt = performance.now();
    this.ledger.imageWritten(this.host.conn as ConnectionRecord, tokens);
    this.sendRaw(imageAppendFrame(jpeg));
  }

  private sendRaw(text: string | Buffer, onError?: (err: Error) => void): void {
    const ws = this.host.socket;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      if (onError) onError(new Error('socket not open'));
      return;
    }
    try {
      ws.send(text, { binary: false }, (err) => {
        if (!err) {
          // A write reached the network: audio held back by back-pressure may go now.
          if (this.audioQueue.length > 0 && this.host.socket === ws && this.host.state === 'open' && !this.backedUp()) {
            this.host.guard(() => this.flush());
          }
          return;
        }
        this.host.guard(() => {
          if (onError) onError(err);
          // One word per connection: a dying socket fails every write still in its buffer.
          if (this.failureReported.has(ws)) return;
          this.failureReported.add(ws);
          this.host.problem('send-failed', `send failed: ${redact(err.message, this.apiKey)}`);
        });
      });
    } catch (e) {
      this.host.guard(() => {
        if (onError) onError(e as Error);
        this.host.problem('send-failed', `send failed: ${redact((e as Error).message, this.apiKey)}`);
      });
    }
  }
}
