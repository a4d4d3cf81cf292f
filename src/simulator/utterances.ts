/**
 * Turns what the VAD hears into replies, for one session: picks each utterance's script entry,
 * streams partials while speech continues (simultaneous interpretation, every `updateEveryMs` of
 * speech), and queues the rest of the reply on the session's timeline when the segment closes.
 */
import { DEFAULT_LANGUAGE, type WireSessionConfig } from '../protocol/catalog';
import type { ServerEvent } from '../protocol/events';
import { makeId } from '../protocol/ids';
import { UtteranceReply } from './reply';
import { ReplyPicker, defaultReply, replyFor } from './script';
import type { Step, Timeline } from './timeline';
import type { ScriptedReply, SimSessionRecord, SimUtterance } from './types';
import type { ResolvedVariants } from './variants';

export interface UtteranceHost {
  readonly record: SimSessionRecord;
  readonly conversationId: string;
  readonly timeline: Timeline;
  readonly variants: ResolvedVariants;
  send(event: ServerEvent): void;
  log(line: string): void;
  /** A reply step's delay: the service's pacing in realtime mode, plus any injected delay. */
  delay(ms: number): number;
  /** The scene of the latest image seen, if one was recognised. */
  scene(): string | undefined;
  /** Image tokens since the previous response; taking them resets the count. */
  takeImageTokens(): number;
  /** Speech will produce a response: the idle clock restarts. */
  speechStarted(): void;
}

interface Current {
  startMs: number;
  inputItemId: string;
  reply?: ScriptedReply;
  stream?: UtteranceReply;
  nextUpdateMs: number;
}

export class Utterances {
  private readonly picker: ReplyPicker;
  private current: Current | null = null;
  private previousInputItemId: string | null = null;

  constructor(private readonly host: UtteranceHost, script: readonly ScriptedReply[]) {
    this.picker = new ReplyPicker(script);
  }

  private get config(): WireSessionConfig {
    return this.host.record.config;
  }

  private get target(): string {
    return this.config.translation?.language || DEFAULT_LANGUAGE;
  }

  started(startMs: number): void {
    const inputItemId = makeId('item');
    this.current = { startMs, inputItemId, nextUpdateMs: this.host.variants.updateEveryMs };
    this.host.speechStarted();
    this.host.send({ event_id: makeId('event'), type: 'input_audio_buffer.speech_started', audio_start_ms: startMs, item_id: inputItemId });
  }

  /** More audio arrived; `nowMs` is the stream time. While speech continues, send what is heard so far. */
  heard(nowMs: number): void {
    const c = this.current;
    if (!c || this.host.variants.pace !== 'simultaneous') return;
    const heardMs = nowMs - c.startMs;
    if (heardMs < c.nextUpdateMs) return;
    c.nextUpdateMs = heardMs + this.host.variants.updateEveryMs;
    const stream = this.stream(c);
    // A generic reply's words depend on the utterance's length: they wait for its end.
    if (!stream) return;
    const events = stream.during(heardMs);
    if (events.length) this.queue(events.map((e) => ({ atMs: 0, event: e })), false);
  }

  ended(startMs: number, endMs: number): void {
    const c = this.current || { startMs, inputItemId: makeId('item'), nextUpdateMs: Infinity };
    this.current = null;
    const n = this.host.record.utterances.length + 1;
    const stream = this.stream(c) || this.streamFor(c, defaultReply(n, (endMs - startMs) / 1000, this.target));
    const reply = c.reply as ScriptedReply;
    const utterance: SimUtterance = { startMs, endMs, reply };
    this.host.record.utterances.push(utterance);
    const events = stream.after({ startMs, endMs, previousInputItemId: this.previousInputItemId, imageTokens: this.host.takeImageTokens() });
    this.previousInputItemId = c.inputItemId;
    this.host.log(`${this.host.record.id} utterance ${n}: ${startMs}-${endMs} ms -> ${JSON.stringify(reply.translation)}`);
    for (const e of events.immediate) this.host.send(e);
    this.queue(events.timed, true);
  }

  /** The utterance's reply stream, choosing its script entry the first time it is needed. */
  private stream(c: Current): UtteranceReply | undefined {
    if (c.stream) return c.stream;
    const entry = this.picker.pick(this.host.scene());
    return entry ? this.streamFor(c, replyFor(entry, this.target)) : undefined;
  }

  private streamFor(c: Current, reply: ScriptedReply): UtteranceReply {
    c.reply = reply;
    c.stream = new UtteranceReply({ config: this.config, conversationId: this.host.conversationId, inputItemId: c.inputItemId, reply, variants: this.host.variants });
    return c.stream;
  }

  /** Queues timed events behind any reply still being sent; `paced` spaces them as the service does. */
  private queue(timed: Array<{ atMs: number; event: ServerEvent }>, paced: boolean): void {
    let prev = 0;
    const steps: Step[] = timed.map((t) => {
      const step = { delayMs: this.host.delay(paced ? t.atMs - prev : 0), run: () => this.host.send(t.event) };
      prev = t.atMs;
      return step;
    });
    this.host.timeline.add(steps);
  }
}
