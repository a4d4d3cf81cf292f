/**
 * Turns the service's events into the messages translation-out sends, one output per kind:
 * 0 translated text, 1 source transcript, 2 translated audio, 3 lifecycle/usage/errors.
 * Knows nothing of Node-RED: a message is a plain object the node hands to send().
 */
import { OUTPUT_SAMPLE_RATE, type ServerEvent, type ErrorDetail } from '../protocol';
import { encodeWav } from '../media/audio/wav';
import { floatToPcm16, pcm16ToFloat } from '../media/audio/pcm';
import { StreamingResampler } from '../media/audio/resampler';
import { TranscriptPairing } from './pairing';
import type { SentEstimate } from './sent-meter';
import { UsageMeter } from './usage-meter';

export type AudioOutputFormat = 'pcm' | 'wav' | 'dataurl';

export interface TranslationMessageOptions {
  /** Send partial translations and transcripts (each carries the whole current line). */
  partials: boolean;
  audioFormat: AudioOutputFormat;
  /** Sample rate of the audio output (default 24000, the service's own; others are resampled). */
  outputRate?: number;
  /** What the session has sent so far, as tokens (reported with each response.done). */
  sent?: () => SentEstimate | undefined;
}

export const PORT = { translation: 0, source: 1, audio: 2, events: 3 } as const;
export type Port = (typeof PORT)[keyof typeof PORT];

export interface OutMessage {
  payload: unknown;
  topic: string;
  [key: string]: unknown;
}

export interface Outgoing { port: Port; msg: OutMessage }

/** Events that reach the events output; the per-word and per-chunk ones would flood it. */
const LIFECYCLE = new Set<string>([
  'session.created', 'session.updated', 'session.finished',
  'input_audio_buffer.speech_started', 'input_audio_buffer.speech_stopped',
  'response.created', 'conversation.item.input_audio_transcription.failed',
]);

interface AudioCollector { chunks: Buffer[]; itemId: string }

/** Output rates offered for sound cards and players; anything else is refused by checkOutputRate. */
export function checkOutputRate(rate: unknown): number {
  const r = rate === undefined || rate === '' ? OUTPUT_SAMPLE_RATE : Number(rate);
  if (!Number.isInteger(r) || r < 8000 || r > 192000) throw new RangeError(`audio output rate must be a whole number of Hz from 8000 to 192000, got ${String(rate)}`);
  return r;
}

export class TranslationMessages {
  private readonly pairing: TranscriptPairing;
  private readonly usage = new UsageMeter();
  private readonly finished = new Set<string>();
  private readonly audio = new Map<string, AudioCollector>();
  /** Streaming resamplers of responses whose PCM chunks go out as they come (only when outputRate differs). */
  private readonly resamplers = new Map<string, { r: StreamingResampler; itemId: string }>();
  private readonly outputRate: number;
  private readonly deltaText = new Map<string, string>();
  private targetLanguage = '';
  private sourceLanguage = '';
  private transcription = false;

  constructor(private readonly opts: TranslationMessageOptions) {
    this.pairing = new TranscriptPairing(() => this.transcription);
    this.outputRate = checkOutputRate(opts.outputRate);
  }

  handle(event: ServerEvent): Outgoing[] {
    switch (event.type) {
      case 'session.created':
      case 'session.updated': {
        const s = event.session || ({} as typeof event.session);
        this.targetLanguage = (s.translation && s.translation.language) || this.targetLanguage;
        const asr = s.input_audio_transcription;
        this.sourceLanguage = (asr && asr.language) || this.sourceLanguage;
        this.transcription = !!(asr && asr.model);
        return [this.lifecycle(event, s)];
      }
      case 'response.audio_transcript.text':
      case 'response.text.text':
        return this.partialTranslation(event.response_id, event.item_id, event.text || '', event.stash || '', event);
      case 'response.audio_transcript.delta': {
        const text = (this.deltaText.get(event.response_id) || '') + (event.delta || '');
        this.deltaText.set(event.response_id, text);
        return this.partialTranslation(event.response_id, event.item_id, text, '', event);
      }
      case 'response.audio_transcript.done':
        return this.finalTranslation(event.response_id, event.item_id, event.transcript, event);
      case 'response.text.done':
        return this.finalTranslation(event.response_id, event.item_id, event.text, event);
      case 'response.audio.delta':
        return this.audioDelta(event.response_id, event.item_id, event.delta, event);
      case 'response.audio.done':
        return this.audioDone(event.response_id);
      case 'conversation.item.input_audio_transcription.text': {
        if (!this.opts.partials) return [];
        const line = (event.text || '') + (event.stash || '');
        return [{ port: PORT.source, msg: {
          topic: 'transcript', payload: line, partial: true, text: event.text || '', stash: event.stash || '',
          language: event.language || this.sourceLanguage, emotion: event.emotion, itemId: event.item_id, event,
        } }];
      }
      case 'conversation.item.input_audio_transcription.completed': {
        const text = typeof event.transcript === 'string' ? event.transcript : '';
        if (!text.trim()) return [];
        const pair = this.pairing.addSource(text);
        return [{ port: PORT.source, msg: {
          topic: 'transcript', payload: text, partial: false, language: event.language || this.sourceLanguage,
          emotion: event.emotion, itemId: event.item_id, utterance: pair.utterance, translation: pair.counterpart, event,
        } }];
      }
      case 'response.done': {
        const response = event.response || ({} as typeof event.response);
        const totals = this.usage.add(response.usage);
        // Audio of a response that never got response.audio.done is flushed here.
        const out = response.id ? this.audioDone(response.id) : [];
        if (response.id) {
          this.finished.delete(response.id);
          this.deltaText.delete(response.id);
        }
        let sent: SentEstimate | undefined;
        try {
          sent = this.opts.sent ? this.opts.sent() : undefined;
        } catch {
          sent = undefined; // an estimate is never worth losing the usage report over
        }
        out.push({ port: PORT.events, msg: {
          topic: 'response.done',
          payload: { status: response.status, usage: response.usage || null, total: totals, ...(sent ? { sent } : {}) },
          responseId: response.id, event,
        } });
        return out;
      }
      case 'error':
        return [{ port: PORT.events, msg: { topic: 'error', payload: errorPayload(event.error), event } }];
      default:
        return LIFECYCLE.has(event.type) ? [this.lifecycle(event, stripType(event))] : [];
    }
  }

  /** A connection state change, for the events output. */
  state(state: string, reason?: { message: string; code?: string | number }): Outgoing {
    return { port: PORT.events, msg: { topic: 'state', payload: { state, reason: reason ? reason.message : undefined, code: reason ? reason.code : undefined } } };
  }

  /** Forget per-connection state (called when a new connection starts). */
  reset(): void {
    this.pairing.reset();
    this.finished.clear();
    this.audio.clear();
    this.resamplers.clear();
    this.deltaText.clear();
  }

  private lifecycle(event: ServerEvent, payload: unknown): Outgoing {
    return { port: PORT.events, msg: { topic: event.type, payload, event } };
  }

  private partialTranslation(responseId: string, itemId: string, text: string, stash: string, event: ServerEvent): Outgoing[] {
    if (!this.opts.partials || this.finished.has(responseId)) return [];
    return [{ port: PORT.translation, msg: {
      topic: 'translation', payload: text + stash, partial: true, text, stash,
      language: this.targetLanguage, responseId, itemId, event,
    } }];
  }

  private finalTranslation(responseId: string, itemId: string, text: unknown, event: ServerEvent): Outgoing[] {
    // The *.done events can repeat (protocol.md §3): one final message per response.
    if (this.finished.has(responseId)) return [];
    this.finished.add(responseId);
    const line = typeof text === 'string' ? text : '';
    // Trailing silence can produce an empty response; there is nothing to show.
    if (!line.trim()) return [];
    const pair = this.pairing.addTranslation(line);
    return [{ port: PORT.translation, msg: {
      topic: 'translation', payload: line, partial: false, language: this.targetLanguage,
      responseId, itemId, utterance: pair.utterance, source: pair.counterpart, event,
    } }];
  }

  private audioDelta(responseId: string, itemId: string, b64: string, event: ServerEvent): Outgoing[] {
    if (typeof b64 !== 'string' || b64.length === 0) return [];
    let pcm: Buffer = Buffer.from(b64, 'base64');
    if (pcm.length % 2 === 1) pcm = pcm.subarray(0, pcm.length - 1);
    if (this.opts.audioFormat === 'pcm') {
      const { delta: _omit, ...slim } = event as { delta: string };
      if (this.outputRate !== OUTPUT_SAMPLE_RATE) {
        let rs = this.resamplers.get(responseId);
        if (!rs) {
          rs = { r: new StreamingResampler(OUTPUT_SAMPLE_RATE, this.outputRate), itemId };
          this.resamplers.set(responseId, rs);
        }
        pcm = floatToPcm16(rs.r.process(pcm16ToFloat(pcm)));
        // The first chunk may be all filter delay; an empty Buffer would only confuse a speaker node.
        if (pcm.length === 0) return [];
      }
      return [{ port: PORT.audio, msg: {
        topic: 'audio', payload: pcm, sampleRate: this.outputRate, channels: 1, bitDepth: 16,
        responseId, itemId, event: slim,
      } }];
    }
    let c = this.audio.get(responseId);
    if (!c) {
      c = { chunks: [], itemId };
      this.audio.set(responseId, c);
    }
    c.chunks.push(pcm);
    return [];
  }

  private audioDone(responseId: string): Outgoing[] {
    const rs = this.resamplers.get(responseId);
    if (rs) {
      // The resampler's tail: the last few ms of the utterance, held back for the filter's look-ahead.
      this.resamplers.delete(responseId);
      const tail = floatToPcm16(rs.r.flush());
      if (tail.length === 0) return [];
      return [{ port: PORT.audio, msg: {
        topic: 'audio', payload: tail, sampleRate: this.outputRate, channels: 1, bitDepth: 16, responseId, itemId: rs.itemId, last: true,
      } }];
    }
    const c = this.audio.get(responseId);
    if (!c) return [];
    this.audio.delete(responseId);
    let pcm: Buffer = Buffer.concat(c.chunks);
    if (pcm.length === 0) return [];
    if (this.outputRate !== OUTPUT_SAMPLE_RATE) {
      const rs = new StreamingResampler(OUTPUT_SAMPLE_RATE, this.outputRate);
      const x = pcm16ToFloat(pcm);
      const a = rs.process(x);
      const b = rs.flush();
      const y = new Float32Array(a.length + b.length);
      y.set(a);
      y.set(b, a.length);
      pcm = floatToPcm16(y);
    }
    const wav = encodeWav(pcm, this.outputRate, 1);
    const payload = this.opts.audioFormat === 'dataurl' ? 'data:audio/wav;base64,' + wav.toString('base64') : wav;
    return [{ port: PORT.audio, msg: {
      topic: 'audio', payload, sampleRate: this.outputRate, channels: 1, bitDepth: 16,
      duration: pcm.length / 2 / this.outputRate, responseId, itemId: c.itemId,
    } }];
  }
}

function errorPayload(e: ErrorDetail | undefined): ErrorDetail {
  return e ? { type: e.type, code: e.code, message: e.message, param: e.param } : { type: 'unknown', code: 'unknown', message: 'error' };
}

function stripType(event: ServerEvent): Record<string, unknown> {
  const { type: _t, event_id: _e, ...rest } = event as unknown as Record<string, unknown>;
  return rest;
}
