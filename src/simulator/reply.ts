/**
 * The events of one utterance, in the service's order (docs/protocol.md §3), as data. While speech
 * continues, `during()` gives the partials heard so far (simultaneous interpretation); once the VAD
 * closes the segment, `after()` gives what is sent at once and the rest of the reply as timed
 * events. Pure apart from fresh ids, so order and usage can be tested without a socket.
 *
 * Default order where the references leave it open: the source transcript (partials, then
 * `completed`) before the response's end, so `…transcription.completed` precedes `response.done`;
 * the `translationFirst` variant turns that round.
 */
import { DEFAULT_LANGUAGE, DEFAULT_VOICE, OUTPUT_SAMPLE_RATE, type WireSessionConfig } from '../protocol/catalog';
import type { ServerEvent } from '../protocol/events';
import { makeId } from '../protocol/ids';
import { ev, ResponseFrames } from './response-frames';
import { PartialLine } from './partials';
import { chunkPcm, synthesizeSpeech } from './speech-synth';
import { speakingTimeMs } from './text';
import type { ScriptedReply } from './types';
import { computeUsage } from './usage';
import type { ResolvedVariants } from './variants';

/** Realtime pacing, in ms from the end of the segment (what the service roughly does). */
export const TIMING = {
  asrFirst: 80,
  asrEvery: 80,
  responseAt: 250,
  firstPartialAfterResponse: 50,
  partialEvery: 150,
  doneAfterLastPartial: 100,
  /** Length of each response.audio.delta. */
  audioChunkMs: 160,
};

/** While speech continues, the translation runs this far (as a fraction of the line) behind the source. */
const TRANSLATION_LAG = 0.25;

export interface TimedEvent {
  /** Milliseconds after the end of the segment. */
  atMs: number;
  event: ServerEvent;
}

export interface UtteranceContext {
  config: WireSessionConfig;
  conversationId: string;
  /** The input (source speech) item: speech_started, committed and the transcript events carry it. */
  inputItemId: string;
  reply: ScriptedReply;
  variants: ResolvedVariants;
}

export interface SegmentEnd {
  startMs: number;
  endMs: number;
  /** The previous input item, for committed.previous_item_id. */
  previousInputItemId: string | null;
  /** Image tokens of the images received since the previous response. */
  imageTokens: number;
}

export interface UtteranceEvents {
  /** Sent as soon as the segment closes. */
  immediate: ServerEvent[];
  /** The reply, ordered by atMs. */
  timed: TimedEvent[];
  /** Seconds of translated speech generated. */
  outputAudioSeconds: number;
}

export function transcriptionEnabled(config: WireSessionConfig): boolean {
  return !!(config.input_audio_transcription && config.input_audio_transcription.model);
}

export function audioOutputEnabled(config: WireSessionConfig): boolean {
  return Array.isArray(config.modalities) && config.modalities.indexOf('audio') >= 0;
}

export class UtteranceReply {
  private readonly asr: boolean;
  private readonly audioMode: boolean;
  private readonly source: PartialLine;
  private readonly translation: PartialLine;
  private readonly frames: ResponseFrames;
  private readonly sourceMeta: { item_id: string; content_index: number; language: string; emotion: string };
  private readonly pcm: Buffer;
  private readonly chunks: Buffer[];
  private chunksSent = 0;
  private responseStarted = false;

  constructor(private readonly ctx: UtteranceContext) {
    const { config, reply, variants } = ctx;
    this.asr = transcriptionEnabled(config);
    this.audioMode = audioOutputEnabled(config);
    const sourceLanguage = reply.language || (config.input_audio_transcription && config.input_audio_transcription.language) || DEFAULT_LANGUAGE;
    this.sourceMeta = { item_id: ctx.inputItemId, content_index: 0, language: sourceLanguage, emotion: 'neutral' };
    const stash = (n: number) => (variants.stash ? n : 0);
    // The source transcript has no documented delta event: in delta mode it stays cumulative.
    this.source = new PartialLine(reply.transcript, variants.partials === 'delta' ? 'cumulative' : variants.partials, stash(2));
    this.translation = new PartialLine(reply.translation, variants.partials, stash(1));
    this.frames = new ResponseFrames(config, ctx.conversationId, this.audioMode);
    const voice = typeof config.voice === 'string' ? config.voice : DEFAULT_VOICE;
    this.pcm = this.audioMode ? synthesizeSpeech(reply.translation, voice) : Buffer.alloc(0);
    this.chunks = chunkPcm(this.pcm, TIMING.audioChunkMs);
  }

  private get sourceHeldBack(): boolean {
    return this.ctx.variants.translationFirst || this.ctx.variants.transcriptionFails;
  }

  /**
   * Events to send while speech continues, `heardMs` into the utterance: the source line so far and
   * the translation a little behind it, never the whole of either (that waits for the end).
   */
  during(heardMs: number): ServerEvent[] {
    const fraction = Math.min(1, heardMs / Math.max(1000, speakingTimeMs(this.ctx.reply.transcript)));
    const out: ServerEvent[] = [];
    if (this.asr && !this.sourceHeldBack && this.source.total > 1) {
      const e = this.sourcePartial(Math.min(this.source.total - 1, fraction * this.source.total));
      if (e) out.push(e);
    }
    const units = Math.min(this.translation.total - 1, (fraction - TRANSLATION_LAG) * this.translation.total);
    if (units >= 1) out.push(...this.translationPartial(units));
    return out;
  }

  /** Once the segment has closed: what goes out at once, and the rest of the reply, timed. */
  after(end: SegmentEnd): UtteranceEvents {
    const { variants } = this.ctx;
    const immediate: ServerEvent[] = [
      ev({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: end.endMs, item_id: this.ctx.inputItemId }),
      ev({ type: 'input_audio_buffer.committed', item_id: this.ctx.inputItemId, previous_item_id: end.previousInputItemId }),
    ];
    if (!this.responseStarted) immediate.push(this.frames.itemCreated(this.ctx.inputItemId));
    const timed: TimedEvent[] = [];
    let t = 0;
    if (this.asr && !variants.translationFirst) t = this.sourceRest(timed, TIMING.asrFirst);
    t = this.responseRest(timed, Math.max(TIMING.responseAt, t + 20), end);
    if (this.asr && variants.translationFirst) t = this.sourceRest(timed, t + TIMING.asrFirst);
    if (variants.emptyFinal) this.emptyResponse(timed, t + TIMING.partialEvery);
    return { immediate, timed, outputAudioSeconds: this.pcm.length / 2 / OUTPUT_SAMPLE_RATE };
  }

  private sourcePartial(units: number): ServerEvent | undefined {
    const p = this.source.upTo(units);
    return p ? ev({ type: 'conversation.item.input_audio_transcription.text', ...this.sourceMeta, text: p.text || '', ...(p.stash !== undefined ? { stash: p.stash } : {}) }) : undefined;
  }

  /** The translation partial confirming `units` units, with the audio that voices them (and the response's start first). */
  private translationPartial(units: number): ServerEvent[] {
    const p = this.translation.upTo(units);
    if (!p) return [];
    const out: ServerEvent[] = [];
    if (!this.responseStarted) {
      this.responseStarted = true;
      out.push(this.frames.itemCreated(this.ctx.inputItemId), ...this.frames.start());
    }
    out.push(this.frames.partial(p));
    // The audio of the words confirmed so far follows its text, as a streaming TTS produces it.
    const due = Math.ceil((this.translation.confirmed / this.translation.total) * this.chunks.length);
    for (; this.chunksSent < due; this.chunksSent++) out.push(this.frames.audio(this.chunks[this.chunksSent]));
    return out;
  }

  /** The source partials not yet sent, then `completed` (or `failed`), from `t`; returns the time after. */
  private sourceRest(timed: TimedEvent[], t: number): number {
    if (this.ctx.variants.transcriptionFails) {
      timed.push({ atMs: t, event: ev({ type: 'conversation.item.input_audio_transcription.failed', item_id: this.ctx.inputItemId, content_index: 0,
        error: { type: 'server_error', code: 'transcription_failed', message: 'The source speech could not be transcribed.', param: null } }) });
      return t;
    }
    for (let j = this.source.confirmed; j <= this.source.total; j++) {
      const e = this.sourcePartial(j);
      if (!e) continue;
      timed.push({ atMs: t, event: e });
      t += TIMING.asrEvery;
    }
    timed.push({ atMs: t, event: ev({ type: 'conversation.item.input_audio_transcription.completed', ...this.sourceMeta, transcript: this.ctx.reply.transcript }) });
    return t;
  }

  /** The response's remaining partials and audio, then its `*.done` events and usage, from `t`. */
  private responseRest(timed: TimedEvent[], t: number, end: SegmentEnd): number {
    const text = this.ctx.reply.translation;
    if (!this.responseStarted) {
      this.responseStarted = true;
      for (const e of this.frames.start()) timed.push({ atMs: t, event: e });
    }
    t += TIMING.firstPartialAfterResponse;
    let any = false;
    for (let j = this.translation.confirmed + 1; j <= this.translation.total; j++) {
      for (const e of this.translationPartial(j)) timed.push({ atMs: t, event: e });
      t += TIMING.partialEvery;
      any = true;
    }
    if (any) t += TIMING.doneAfterLastPartial - TIMING.partialEvery;
    // (Only reachable for a translation with no words: nothing to pace the audio by.)
    for (; this.chunksSent < this.chunks.length; this.chunksSent++) timed.push({ atMs: t, event: this.frames.audio(this.chunks[this.chunksSent]) });
    const usage = computeUsage({
      inputAudioSeconds: (end.endMs - end.startMs) / 1000,
      imageTokens: end.imageTokens,
      translation: text,
      transcript: this.asr && !this.ctx.variants.transcriptionFails ? this.ctx.reply.transcript : undefined,
      outputAudioSeconds: this.pcm.length / 2 / OUTPUT_SAMPLE_RATE,
    });
    for (const e of this.frames.tail(text, usage, this.ctx.variants.repeatDone)) timed.push({ atMs: t, event: e });
    return t;
  }

  /**
   * A segment with nothing in it, as trailing silence can produce: its own (silent) input item,
   * an empty transcript when transcription is on, and a response whose `*.done` is whitespace only.
   */
  private emptyResponse(timed: TimedEvent[], t: number): void {
    const frames = new ResponseFrames(this.ctx.config, this.ctx.conversationId, this.audioMode);
    const silentItem = makeId('item');
    const usage = computeUsage({ inputAudioSeconds: 0, imageTokens: 0, translation: '', outputAudioSeconds: 0 });
    const events: ServerEvent[] = [
      ev({ type: 'input_audio_buffer.committed', item_id: silentItem, previous_item_id: this.ctx.inputItemId }),
      frames.itemCreated(silentItem),
    ];
    if (this.asr) events.push(ev({ type: 'conversation.item.input_audio_transcription.completed', ...this.sourceMeta, item_id: silentItem, transcript: '' }));
    events.push(...frames.start(), ...frames.tail(' ', usage, false));
    for (const e of events) timed.push({ atMs: t, event: e });
  }
}
