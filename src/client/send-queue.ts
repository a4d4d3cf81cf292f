/**
 * Audio waiting for the socket (while connecting or reconnecting): bounded by bytes, oldest
 * dropped first so what reaches the service is the most recent speech; drops are counted in
 * frames (one frame = one appendAudio call) and bytes.
 */
export class BoundedByteQueue {
  private items: Buffer[] = [];
  private bytes = 0;
  droppedBytes = 0;
  droppedItems = 0;

  constructor(private readonly maxBytes: number) {}

  /** Adds an item at the end; returns how many items the bound dropped (the oldest first). */
  push(item: Buffer): number {
    this.items.push(item);
    this.bytes += item.length;
    return this.trim();
  }

  /** Puts items that could not be sent back at the front, in order; returns how many the bound dropped. */
  requeue(items: Buffer[]): number {
    if (items.length === 0) return 0;
    this.items = items.concat(this.items);
    for (const i of items) this.bytes += i.length;
    return this.trim();
  }

  drain(): Buffer[] {
    const out = this.items;
    this.items = [];
    this.bytes = 0;
    return out;
  }

  get size(): number {
    return this.bytes;
  }

  get length(): number {
    return this.items.length;
  }

  private trim(): number {
    let dropped = 0;
    while (this.bytes > this.maxBytes && this.items.length > 0) {
      const old = this.items.shift() as Buffer;
      this.bytes -= old.length;
      this.droppedBytes += old.length;
      this.droppedItems++;
      dropped++;
    }
    return dropped;
  }
}
