/**
 * A bounded in-memory store of finished audio files (one per translated utterance) that an HTTP
 * route serves to players by id. Bounded three ways: age, count and total bytes; the oldest file
 * goes first. Ids are 128 random bits, so a file is reachable only by whoever was given its URL.
 * Expiry is lazy (checked on every put and get): no timers to leak, and memory stays bounded by
 * count and bytes whatever the traffic. Knows nothing of HTTP or Node-RED.
 */
import { randomBytes } from 'node:crypto';

export interface StoredAudio {
  id: string;
  body: Buffer;
  contentType: string;
  /** File name extension, without the dot ("wav"). */
  extension: string;
  /** When it was stored, ms since the epoch (what now() said). */
  created: number;
  /** When it stops being served, ms since the epoch. */
  expires: number;
}

export interface AudioStoreLimits {
  /** How long a file stays reachable, in ms. */
  maxAgeMs: number;
  /** How many files are kept at most. */
  maxCount: number;
  /** How many bytes all files may take together. */
  maxBytes: number;
  /** The clock (tests pass a fake one; sinon's fake timers also work with the default). */
  now?: () => number;
}

/** What an id looks like: 16 random bytes in base64url. Anything else is not ours. */
export const AUDIO_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export class AudioStore {
  /** Insertion order is age order: a Map iterates oldest first. */
  private readonly files = new Map<string, StoredAudio>();
  private bytes = 0;
  private readonly now: () => number;

  constructor(private readonly limits: AudioStoreLimits) {
    for (const k of ['maxAgeMs', 'maxCount', 'maxBytes'] as const) {
      const v = limits[k];
      if (!(typeof v === 'number' && v > 0 && isFinite(v))) throw new RangeError(`audio store ${k} must be a positive number, got ${String(v)}`);
    }
    this.now = limits.now || Date.now;
  }

  /** Keeps a file and returns it with its new id. A file larger than maxBytes is refused. */
  put(body: Buffer, contentType: string, extension: string): StoredAudio {
    if (body.length > this.limits.maxBytes) {
      throw new RangeError(`audio file of ${body.length} bytes is larger than the store's limit of ${this.limits.maxBytes} bytes`);
    }
    this.sweep();
    while (this.files.size >= this.limits.maxCount || this.bytes + body.length > this.limits.maxBytes) this.dropOldest();
    const created = this.now();
    const entry: StoredAudio = { id: randomBytes(16).toString('base64url'), body, contentType, extension, created, expires: created + this.limits.maxAgeMs };
    this.files.set(entry.id, entry);
    this.bytes += body.length;
    return entry;
  }

  /** The file with this id, unless it never existed, expired or was pushed out. */
  get(id: string): StoredAudio | undefined {
    this.sweep();
    return AUDIO_ID_PATTERN.test(id) ? this.files.get(id) : undefined;
  }

  get size(): number {
    return this.files.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  clear(): void {
    this.files.clear();
    this.bytes = 0;
  }

  private sweep(): void {
    const t = this.now();
    for (const f of this.files.values()) {
      if (f.expires > t) break; // the rest are younger
      this.dropOldest();
    }
  }

  private dropOldest(): void {
    const first = this.files.values().next();
    if (first.done) return;
    this.files.delete(first.value.id);
    this.bytes -= first.value.body.length;
  }
}
