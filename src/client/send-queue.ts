/**
 * Audio waiting for the socket (while connecting or reconnecting): bounded by bytes, oldest
 * dropped first so what reaches the service is the most recent speech; drops are counted.
 */
export class BoundedByteQueue {
  private items: Buffer[] = [];
  private bytes = 0;
  droppedBytes = 0;
  droppedItems = 0;

  constructor(private readonly maxBytes: number) {}

  push(item: Buffer): void {
    this.items.push(item);
    this.bytes += item.length;
    while (this.bytes > this.maxBytes && this.items.length > 0) {
      const old = this.items.shift() as Buffer;
      this.bytes -= old.length;
      this.droppedBytes += old.length;
      this.droppedItems++;
    }
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
}
