/**
 * translation-out's behaviour without Node-RED: a session's events become messages on four
 * outputs (translated text, source transcript, translated audio, events), bounded by the output
 * guard, with service errors also raised as errors and problems as warnings. The node file only
 * reads its settings, builds this, and hands it the session's events.
 */
import type { ServerEvent } from '../protocol';
import { TranslationMessages, PORT, type OutMessage, type Outgoing, type TranslationMessageOptions } from './translation-messages';
import { OutputGuard, type Clock, type DropReport, type OutputLimits } from './output-guard';

/** What the controller needs of a node: Node-RED's send/warn/error, or a test's recorder. */
export interface OutputNode {
  send(msgs: Array<OutMessage | null>): void;
  warn(message: string): void;
  error(message: string, msg?: OutMessage): void;
}

export interface TranslationOutOptions extends TranslationMessageOptions {
  limits?: OutputLimits;
  clock?: Clock;
  /** Applied to each message as it leaves (audio by URL); undefined drops it. */
  transform?: (o: Outgoing) => Outgoing | undefined;
}

const OUTPUTS = 4;
/** A flood is reported at once, then at most this often, with what was dropped meanwhile. */
const WARN_EVERY_MS = 60_000;

export class TranslationOutController {
  private readonly messages: TranslationMessages;
  private readonly guard: OutputGuard;
  private readonly clock: Pick<Clock, 'now'>;
  private lastWarn = -Infinity;
  private unwarned: DropReport | undefined;

  constructor(private readonly node: OutputNode, private readonly opts: TranslationOutOptions) {
    this.clock = opts.clock || Date;
    this.messages = new TranslationMessages({ ...opts, warn: (m) => node.warn(m) });
    this.guard = new OutputGuard((o) => this.send(o), opts.limits, opts.clock, (r) => this.dropped(r));
  }

  /** A server event from the session. */
  event(event: ServerEvent): void {
    try {
      this.guard.push(this.messages.handle(event));
    } catch (e) {
      this.node.error(`could not handle ${event.type}: ${(e as Error).message}`);
    }
  }

  /** A connection state change: a new connection forgets the previous one's lines and pairs. */
  state(state: string, reason?: { message: string; code?: string | number }): void {
    if (state === 'connecting') this.messages.reset();
    this.guard.push([this.messages.state(state, reason)]);
  }

  /** An event type this package does not know, passed on as it came. */
  unknown(type: string, raw: Record<string, unknown>): void {
    this.guard.push([{ port: PORT.events, msg: { topic: type, payload: raw } }]);
  }

  problem(message: string): void {
    this.guard.push([{ port: PORT.events, msg: { topic: 'warning', payload: { message } } }]);
  }

  /** What the session could not send (input side), for the events output. */
  inputDropped(summary: object): void {
    this.guard.push([{ port: PORT.events, msg: { topic: 'dropped', payload: summary } }]);
  }

  close(): void {
    this.guard.close();
    this.messages.reset();
  }

  private send(raw: Outgoing): void {
    const o = this.opts.transform ? this.opts.transform(raw) : raw;
    if (!o) return;
    const out: Array<OutMessage | null> = new Array<OutMessage | null>(OUTPUTS).fill(null);
    out[o.port] = o.msg;
    this.node.send(out);
    if (o.port === PORT.events && o.msg.topic === 'error') {
      const p = o.msg.payload as { message?: string; code?: string };
      // Also to Catch nodes: an error from the service is something a flow may want to handle.
      this.node.error(`service error${p.code ? ' ' + p.code : ''}: ${p.message || ''}`, o.msg);
    }
  }

  private dropped(r: DropReport): void {
    const u = this.unwarned || { audioChunks: 0, audioSeconds: 0, events: {} };
    u.audioChunks += r.audioChunks;
    u.audioSeconds += r.audioSeconds;
    for (const [k, n] of Object.entries(r.events)) u.events[k] = (u.events[k] || 0) + n;
    this.unwarned = u;
    const now = this.clock.now();
    if (now - this.lastWarn < WARN_EVERY_MS) return;
    this.lastWarn = now;
    this.unwarned = undefined;
    const events = Object.entries(u.events).map(([k, n]) => `${n} ${k}`).join(', ');
    this.node.warn(`the service sends faster than a flow can take: dropped ${u.audioChunks} audio chunks (${u.audioSeconds.toFixed(1)} s)` +
      `${events ? ` and events (${events})` : ''}; see the events output's "throttled" messages`);
  }
}
