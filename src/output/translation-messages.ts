/**
 * Turns the service's events into the messages translation-out sends, one output per kind:
 * 0 translated text, 1 source transcript, 2 translated audio, 3 lifecycle/usage/errors.
 * Knows nothing of Node-RED: a message is a plain object the node hands to send().
 */
import type { ServerEvent, ErrorDetail } from '../protocol';
import { TranslatedAudio, checkOutputRate, type AudioOutputFormat } from './audio-out';
import { PartialLines, type Line } from './partial-line';
import { TranscriptPairing } from './pairing';
import { UsageMeter } from './usage-meter';

export { checkOutputRate, type AudioOutputFormat };

export interface TranslationMessageOptions {
  /** Send partial translations and transcripts (each carries the whole current line). */
  partials: boolean;
  audioFormat: AudioOutputFormat;
  /** Sample rate of the audio output (default 24000, the service's own; others are resampled). */
  outputRate?: number;
  /** What the session has sent so far, as tokens (reported with each response.done). */
  sent?: () => object | undefined;
  /** Longest WAV collected for one utterance, in seconds (default 300). */
  maxUtteranceSeconds?: number;
  /** Something a user should know that is not an error (an utterance's WAV reached its cap). */
  warn?: (message: string) => void;
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

/** Remembered ids of finished responses/items, to drop repeated finals; bounded. */
const KEEP_FINISHED = 256;

export class TranslationMessages {
  private readonly pairing: TranscriptPairing;
  private readonly usage = new UsageMeter();
  private readonly audio: TranslatedAudio;
  private readonly translationLines = new PartialLines();
  private readonly sourceLines = new PartialLines();
  /** Responses whose final translation, and source items whose final transcript, went out. */
  private readonly finished = new Set<string>();
  private targetLanguage = '';
  private sourceLanguage = '';
  private transcription = false;

  constructor(private readonly opts: TranslationMessageOptions) {
    this.pairing = new TranscriptPairing(() => this.transcription);
    this.audio = new TranslatedAudio(opts.audioFormat, checkOutputRate(opts.outputRate), {
      maxUtteranceSeconds: opts.maxUtteranceSeconds,
      onCap: (responseId, seconds) => {
        if (opts.warn) opts.warn(`translated speech of response ${responseId} reached ${seconds} s without an end: sent what was collected as one WAV, the rest follows as further WAVs`);
      },
    });
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
      case 'input_audio_buffer.speech_started':
      case 'input_audio_buffer.speech_stopped':
        this.pairing.noteSourceItem(event.item_id);
        return [this.lifecycle(event, stripType(event))];
      case 'input_audio_buffer.committed':
        this.pairing.noteSourceItem(event.item_id);
        return [];
      case 'conversation.item.created':
        this.pairing.link(event.item && event.item.id, event.previous_item_id);
        return [];
      case 'response.audio_transcript.text':
      case 'response.text.text':
        return this.partialTranslation(event, this.translationLines.text(event.response_id, event.text, event.stash));
      case 'response.audio_transcript.delta':
      case 'response.text.delta':
        return this.partialTranslation(event, this.translationLines.delta(event.response_id, event.delta));
      case 'response.audio_transcript.done':
        return this.finalTranslation(event, event.transcript);
      case 'response.text.done':
        return this.finalTranslation(event, event.text);
      case 'response.audio.delta':
        return this.toAudio(this.audio.delta(event.response_id, event.item_id, event.delta, event));
      case 'response.audio.done':
        return this.toAudio(this.audio.done(event.response_id));
      case 'conversation.item.input_audio_transcription.text':
        return this.partialSource(event, this.sourceLines.text(event.item_id, event.text, event.stash));
      case 'conversation.item.input_audio_transcription.delta':
        return this.partialSource(event, this.sourceLines.delta(event.item_id, event.delta));
      case 'conversation.item.input_audio_transcription.completed':
        return this.finalSource(event, typeof event.transcript === 'string' ? event.transcript : '');
      case 'conversation.item.input_audio_transcription.failed':
        // The utterance keeps its place in the pairing, with no source text.
        this.finalSource(event, '');
        return [this.lifecycle(event, stripType(event))];
      case 'response.done':
        return this.responseDone(event);
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
    this.audio.reset();
    this.translationLines.clear();
    this.sourceLines.clear();
  }

  private lifecycle(event: ServerEvent, payload: unknown): Outgoing {
    return { port: PORT.events, msg: { topic: event.type, payload, event } };
  }

  private toAudio(list: ReturnType<TranslatedAudio['done']>): Outgoing[] {
    return list.map((msg) => ({ port: PORT.audio, msg }));
  }

  private partialTranslation(event: ServerEvent & { response_id: string; item_id: string }, line: Line): Outgoing[] {
    if (!this.opts.partials || this.finished.has(event.response_id)) return [];
    return [{ port: PORT.translation, msg: {
      topic: 'translation', payload: line.text + line.stash, partial: true, text: line.text, stash: line.stash,
      language: this.targetLanguage, responseId: event.response_id, itemId: event.item_id, event,
    } }];
  }

  private finalTranslation(event: ServerEvent & { response_id: string; item_id: string }, text: unknown): Outgoing[] {
    const line = typeof text === 'string' ? text : '';
    // Trailing silence can produce an empty final: nothing to show, and a real final may still follow.
    // A repeated final (docs/protocol.md §3, "Finals") is dropped: one final message per response.
    if (this.finished.has(event.response_id)) return [];
    if (!line.trim()) {
      // It still takes its utterance's place in the pairing (once), so later pairs stay aligned.
      if (!this.finished.has('empty:' + event.response_id)) this.pairing.addTranslation(event.item_id, '');
      this.markFinished('empty:' + event.response_id);
      return [];
    }
    this.markFinished(event.response_id);
    this.translationLines.forget(event.response_id);
    const pair = this.pairing.addTranslation(event.item_id, line);
    return [{ port: PORT.translation, msg: {
      topic: 'translation', payload: line, partial: false, language: this.targetLanguage,
      responseId: event.response_id, itemId: event.item_id, utterance: pair.utterance, source: pair.counterpart, event,
    } }];
  }

  private partialSource(event: ServerEvent & { item_id: string; language?: string; emotion?: string }, line: Line): Outgoing[] {
    this.pairing.noteTranscription(event.item_id);
    if (!this.opts.partials || this.finished.has('src:' + event.item_id)) return [];
    return [{ port: PORT.source, msg: {
      topic: 'transcript', payload: line.text + line.stash, partial: true, text: line.text, stash: line.stash,
      language: event.language || this.sourceLanguage, emotion: event.emotion, itemId: event.item_id, event,
    } }];
  }

  private finalSource(event: ServerEvent & { item_id: string; language?: string; emotion?: string }, text: string): Outgoing[] {
    const key = 'src:' + event.item_id;
    if (this.finished.has(key)) return [];
    this.markFinished(key);
    this.sourceLines.forget(event.item_id);
    const pair = this.pairing.addSource(event.item_id, text.trim() ? text : '');
    if (!text.trim()) return [];
    return [{ port: PORT.source, msg: {
      topic: 'transcript', payload: text, partial: false, language: event.language || this.sourceLanguage,
      emotion: event.emotion, itemId: event.item_id, utterance: pair.utterance, translation: pair.counterpart, event,
    } }];
  }

  private responseDone(event: Extract<ServerEvent, { type: 'response.done' }>): Outgoing[] {
    const response = event.response || ({} as typeof event.response);
    const totals = this.usage.add(response.usage);
    // Audio of a response that never got response.audio.done is flushed here.
    const out = response.id ? this.toAudio(this.audio.done(response.id)) : [];
    if (response.id) this.translationLines.forget(response.id);
    let sent: object | undefined;
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

  private markFinished(key: string): void {
    this.finished.add(key);
    if (this.finished.size > KEEP_FINISHED) this.finished.delete(this.finished.values().next().value as string);
  }
}

function errorPayload(e: ErrorDetail | undefined): ErrorDetail {
  return e ? { type: e.type, code: e.code, message: e.message, param: e.param } : { type: 'unknown', code: 'unknown', message: 'error' };
}

function stripType(event: ServerEvent): Record<string, unknown> {
  const { type: _t, event_id: _e, ...rest } = event as unknown as Record<string, unknown>;
  return rest;
}
