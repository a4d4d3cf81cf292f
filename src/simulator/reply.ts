/**
 * The events of one utterance, in the service's order (docs/protocol.md §3), as data: what is sent at
 * once when the VAD closes the segment, then the reply as timed events. Pure apart from fresh ids,
 * so the order and the usage arithmetic can be tested without a socket.
 *
 * Order chosen where the references leave it open: the source transcript (partials, then
 * `completed`) comes first, then the response; so `…transcription.completed` always precedes
 * `response.done` (and `response.created`).
 */
import { DEFAULT_LANGUAGE, DEFAULT_VOICE, OUTPUT_SAMPLE_RATE, type WireSessionConfig } from '../protocol/catalog';
import { makeId } from '../protocol/ids';
import type { ContentPart, ResponseItem, ResponseObject, ServerEvent } from '../protocol/events';
import { chunkPcm, synthesizeSpeech } from './speech-synth';
import { cumulativePartials } from './text';
import type { ScriptedReply } from './types';
import { computeUsage } from './usage';

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
  /** The previous input item, for committed.previous_item_id. */
  previousInputItemId: string | null;
  startMs: number;
  endMs: number;
  reply: ScriptedReply;
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

/** Any server event without its envelope id (Omit distributed over the union). */
type Unstamped = ServerEvent extends infer E ? (E extends ServerEvent ? Omit<E, 'event_id'> : never) : never;

function ev(e: Unstamped): ServerEvent {
  return { event_id: makeId('event'), ...e } as ServerEvent;
}

export function transcriptionEnabled(config: WireSessionConfig): boolean {
  return !!(config.input_audio_transcription && config.input_audio_transcription.model);
}

export function audioOutputEnabled(config: WireSessionConfig): boolean {
  return Array.isArray(config.modalities) && config.modalities.indexOf('audio') >= 0;
}

export function buildUtteranceEvents(ctx: UtteranceContext): UtteranceEvents {
  const { config, reply } = ctx;
  const audioMode = audioOutputEnabled(config);
  const asr = transcriptionEnabled(config);
  const sourceLanguage = reply.language || (config.input_audio_transcription && config.input_audio_transcription.language) || DEFAULT_LANGUAGE;
  const voice = typeof config.voice === 'string' ? config.voice : DEFAULT_VOICE;
  const responseId = makeId('resp');
  const itemId = makeId('item');
  const partType: ContentPart['type'] = audioMode ? 'audio' : 'text';
  const ref = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };

  const item = (status: ResponseItem['status'], content: ContentPart[]): ResponseItem =>
    ({ id: itemId, object: 'realtime.item', type: 'message', status, role: 'assistant', content });
  const response = (status: ResponseObject['status'], output: ResponseItem[]): ResponseObject => ({
    id: responseId, object: 'realtime.response', conversation_id: ctx.conversationId, status,
    modalities: Array.isArray(config.modalities) ? config.modalities.slice() : ['text', 'audio'],
    voice, output_audio_format: String(config.output_audio_format || 'pcm24'), output,
  });

  const immediate: ServerEvent[] = [
    ev({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: ctx.endMs, item_id: ctx.inputItemId }),
    ev({ type: 'input_audio_buffer.committed', item_id: ctx.inputItemId, previous_item_id: ctx.previousInputItemId }),
    // As in [G35]: the translation's item is announced with previous_item_id = the source item,
    // which is how a client can pair a source transcript with its translation.
    ev({ type: 'conversation.item.created', previous_item_id: ctx.inputItemId, item: { ...item('in_progress', []) } }),
  ];

  const timed: TimedEvent[] = [];
  let t = 0;
  if (asr) {
    const meta = { item_id: ctx.inputItemId, content_index: 0, language: sourceLanguage, emotion: 'neutral' };
    t = TIMING.asrFirst;
    for (const p of cumulativePartials(reply.transcript, 2, true)) {
      timed.push({ atMs: t, event: ev({ type: 'conversation.item.input_audio_transcription.text', ...meta, text: p.text, stash: p.stash }) });
      t += TIMING.asrEvery;
    }
    timed.push({ atMs: t, event: ev({ type: 'conversation.item.input_audio_transcription.completed', ...meta, transcript: reply.transcript }) });
  }

  t = Math.max(TIMING.responseAt, t + 20);
  timed.push({ atMs: t, event: ev({ type: 'response.created', response: response('in_progress', []) }) });
  timed.push({ atMs: t, event: ev({ type: 'response.output_item.added', response_id: responseId, output_index: 0, item: item('in_progress', []) }) });
  timed.push({ atMs: t, event: ev({ type: 'response.content_part.added', ...ref, part: { type: partType, text: '' } }) });

  const text = reply.translation;
  const pcm = audioMode ? synthesizeSpeech(text, voice) : Buffer.alloc(0);
  const chunks = chunkPcm(pcm, TIMING.audioChunkMs);
  const partials = cumulativePartials(text, 1);
  let sentChunks = 0;
  t += TIMING.firstPartialAfterResponse;
  partials.forEach((p, j) => {
    const type = audioMode ? 'response.audio_transcript.text' : 'response.text.text';
    timed.push({ atMs: t, event: ev({ type, ...ref, text: p.text, stash: p.stash }) });
    // The audio of the words confirmed so far follows its text, as a streaming TTS produces it.
    const due = Math.ceil(((j + 1) / partials.length) * chunks.length);
    for (; sentChunks < due; sentChunks++) {
      timed.push({ atMs: t, event: ev({ type: 'response.audio.delta', ...ref, delta: chunks[sentChunks].toString('base64') }) });
    }
    t += TIMING.partialEvery;
  });
  if (partials.length) t += TIMING.doneAfterLastPartial - TIMING.partialEvery;
  // (Only reachable for a translation with no words: nothing to pace the audio by.)
  for (; sentChunks < chunks.length; sentChunks++) {
    timed.push({ atMs: t, event: ev({ type: 'response.audio.delta', ...ref, delta: chunks[sentChunks].toString('base64') }) });
  }

  const outputAudioSeconds = pcm.length / 2 / OUTPUT_SAMPLE_RATE;
  const usage = computeUsage({
    inputAudioSeconds: (ctx.endMs - ctx.startMs) / 1000,
    imageTokens: ctx.imageTokens,
    translation: text,
    transcript: asr ? reply.transcript : undefined,
    outputAudioSeconds,
  });
  const finalPart: ContentPart = { type: partType, text };
  const doneContent: ContentPart = audioMode ? { type: 'audio', transcript: text } : { type: 'text', text };
  const tail: ServerEvent[] = [
    audioMode
      ? ev({ type: 'response.audio_transcript.done', ...ref, transcript: text })
      : ev({ type: 'response.text.done', ...ref, text }),
  ];
  if (audioMode) tail.push(ev({ type: 'response.audio.done', ...ref }));
  tail.push(
    ev({ type: 'response.content_part.done', ...ref, part: finalPart }),
    ev({ type: 'response.output_item.done', response_id: responseId, output_index: 0, item: item('completed', [finalPart]) }),
    ev({ type: 'response.done', response: { ...response('completed', [item('completed', [doneContent])]), usage } }),
  );
  for (const e of tail) timed.push({ atMs: t, event: e });
  return { immediate, timed, outputAudioSeconds };
}
