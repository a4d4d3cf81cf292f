import { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => void;

/** EventEmitter with checked event names and argument lists. */
export class TypedEmitter<Events extends { [K in keyof Events]: (...args: never[]) => void }> {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Many nodes may share one session; they are not a leak.
    this.emitter.setMaxListeners(0);
  }

  on<K extends keyof Events & string>(name: K, listener: Events[K]): this {
    this.emitter.on(name, listener as unknown as Listener);
    return this;
  }

  off<K extends keyof Events & string>(name: K, listener: Events[K]): this {
    this.emitter.off(name, listener as unknown as Listener);
    return this;
  }

  once<K extends keyof Events & string>(name: K, listener: Events[K]): this {
    this.emitter.once(name, listener as unknown as Listener);
    return this;
  }

  protected emit<K extends keyof Events & string>(name: K, ...args: Parameters<Events[K]>): void {
    this.emitter.emit(name, ...args);
  }

  removeAllListeners(): void {
    this.emitter.removeAllListeners();
  }
}
