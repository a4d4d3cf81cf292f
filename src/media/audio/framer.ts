/**
 * Cuts a PCM16 byte stream into equal frames (the service expects 100 ms appends: 3200 bytes at 16 kHz
 * mono). Chunks of any size go in; whole frames come out; the remainder waits for the next push.
 */
export class Pcm16Framer {
  readonly frameBytes: number;
  private readonly pending: Buffer;
  private fill = 0;

  constructor(frameBytes = 3200) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0 || frameBytes % 2 !== 0) {
      throw new RangeError(`frameBytes must be a positive even number of bytes, got ${String(frameBytes)}`);
    }
    this.frameBytes = frameBytes;
    this.pending = Buffer.alloc(frameBytes);
  }

  /** Complete frames now available (each a fresh Buffer the caller may keep). */
  push(pcm16: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let at = 0;
    if (this.fill > 0) {
      const take = Math.min(this.frameBytes - this.fill, pcm16.length);
      pcm16.copy(this.pending, this.fill, 0, take);
      this.fill += take;
      at = take;
      if (this.fill < this.frameBytes) return frames;
      frames.push(Buffer.from(this.pending));
      this.fill = 0;
    }
    for (; at + this.frameBytes <= pcm16.length; at += this.frameBytes) {
      frames.push(Buffer.from(pcm16.subarray(at, at + this.frameBytes)));
    }
    pcm16.copy(this.pending, 0, at);
    this.fill = pcm16.length - at;
    return frames;
  }

  /** The remainder zero-padded (silence) to a whole frame, or null when nothing is pending. */
  flush(): Buffer | null {
    if (this.fill === 0) return null;
    const frame = Buffer.alloc(this.frameBytes);
    this.pending.copy(frame, 0, 0, this.fill);
    this.fill = 0;
    return frame;
  }

  get pendingBytes(): number {
    return this.fill;
  }
}
