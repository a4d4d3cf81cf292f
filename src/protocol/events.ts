/**
 * The realtime protocol's events as TypeScript discriminated unions (see docs/protocol.md §2 and §3).
 * Optional fields are those the references disagree on; parsers must tolerate their absence.
 */
import type { WireSessionConfig } from './catalog';

// ---------------------------------------------------------------- client events
interface ClientEnvelope { event_id?: string }

export interface SessionUpdateEvent extends ClientEnvelope { type: 'session.update'; session: WireSessionConfig }
export interface AudioAppendEvent extends ClientEnvelope { type: 'input_audio_buffer.append'; audio: string }
export interface ImageAppendEvent extends ClientEnvelope { type: 'input_image_buffer.append'; image: string }
export interface SessionFinishEvent extends ClientEnvelope { type: 'session.finish' }

export type ClientEvent = SessionUpdateEvent | AudioAppendEvent | ImageAppendEvent | SessionFinishEvent;
export type ClientEventType = ClientEvent['type'];
export const CLIENT_EVENT_TYPES: readonly ClientEventType[] = [
  'session.update', 'input_audio_buffer.append', 'input_image_buffer.append', 'session.finish',
];

// ---------------------------------------------------------------- server events
interface ServerEnvelope { event_id: string }

export interface SessionObject extends WireSessionConfig {
  id: string;
  object: 'realtime.session';
  model: string;
}

export interface ErrorDetail { type: string; code: string; message: string; param?: string | null }

export interface Usage {
  total_tokens: number;
  input_tokens: number;
  output_tokens: number;
  input_tokens_details?: { text_tokens?: number; audio_tokens?: number; image_tokens?: number };
  output_tokens_details?: { text_tokens?: number; audio_tokens?: number };
}

export interface ContentPart { type: 'audio' | 'text'; text?: string; transcript?: string }

export interface ResponseItem {
  id: string;
  object: 'realtime.item';
  type: 'message';
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  role: 'assistant';
  content: ContentPart[];
}

export interface ResponseObject {
  id: string;
  object: 'realtime.response';
  conversation_id: string;
  status: 'in_progress' | 'completed' | 'failed' | 'incomplete';
  modalities: string[];
  voice?: string;
  output_audio_format?: string;
  output: ResponseItem[];
  usage?: Usage;
}

interface PartRef { response_id: string; item_id: string; output_index: number; content_index: number }

export interface SessionCreatedEvent extends ServerEnvelope { type: 'session.created'; session: SessionObject }
export interface SessionUpdatedEvent extends ServerEnvelope { type: 'session.updated'; session: SessionObject }
export interface SessionFinishedEvent extends ServerEnvelope { type: 'session.finished' }
export interface ErrorEvent extends ServerEnvelope { type: 'error'; error: ErrorDetail }

export interface SpeechStartedEvent extends ServerEnvelope { type: 'input_audio_buffer.speech_started'; audio_start_ms: number; item_id?: string }
export interface SpeechStoppedEvent extends ServerEnvelope { type: 'input_audio_buffer.speech_stopped'; audio_end_ms: number; item_id?: string }
export interface AudioCommittedEvent extends ServerEnvelope { type: 'input_audio_buffer.committed'; item_id?: string; previous_item_id?: string | null }
export interface ItemCreatedEvent extends ServerEnvelope { type: 'conversation.item.created'; previous_item_id?: string | null; item: { id: string; [k: string]: unknown } }

export interface ResponseCreatedEvent extends ServerEnvelope { type: 'response.created'; response: ResponseObject }
export interface OutputItemAddedEvent extends ServerEnvelope { type: 'response.output_item.added'; response_id: string; output_index: number; item: ResponseItem }
export interface ContentPartAddedEvent extends ServerEnvelope, PartRef { type: 'response.content_part.added'; part: ContentPart }
/** Cumulative translation so far (`text`) plus a tentative tail (`stash`), in text+audio mode. */
export interface AudioTranscriptTextEvent extends ServerEnvelope, PartRef { type: 'response.audio_transcript.text'; text: string; stash?: string }
/** The same in text-only mode. */
export interface TextTextEvent extends ServerEnvelope, PartRef { type: 'response.text.text'; text: string; stash?: string }
/** Tolerated (seen in one official sample): an appended fragment. */
export interface AudioTranscriptDeltaEvent extends ServerEnvelope, PartRef { type: 'response.audio_transcript.delta'; delta: string }
/** Tolerated (the Omni models' text-only form): an appended fragment. */
export interface TextDeltaEvent extends ServerEnvelope, PartRef { type: 'response.text.delta'; delta: string }
export interface AudioDeltaEvent extends ServerEnvelope, PartRef { type: 'response.audio.delta'; delta: string }
export interface AudioTranscriptDoneEvent extends ServerEnvelope, PartRef { type: 'response.audio_transcript.done'; transcript: string }
export interface TextDoneEvent extends ServerEnvelope, PartRef { type: 'response.text.done'; text: string }
export interface AudioDoneEvent extends ServerEnvelope, PartRef { type: 'response.audio.done' }
export interface ContentPartDoneEvent extends ServerEnvelope, PartRef { type: 'response.content_part.done'; part: ContentPart }
export interface OutputItemDoneEvent extends ServerEnvelope { type: 'response.output_item.done'; response_id: string; output_index: number; item: ResponseItem }
export interface ResponseDoneEvent extends ServerEnvelope { type: 'response.done'; response: ResponseObject }

interface TranscriptRef { item_id: string; content_index: number; language?: string; emotion?: string }
export interface TranscriptionTextEvent extends ServerEnvelope, TranscriptRef { type: 'conversation.item.input_audio_transcription.text'; text: string; stash?: string }
/** Tolerated (the OpenAI-style form): an appended fragment of the source transcript. */
export interface TranscriptionDeltaEvent extends ServerEnvelope, TranscriptRef { type: 'conversation.item.input_audio_transcription.delta'; delta: string }
export interface TranscriptionCompletedEvent extends ServerEnvelope, TranscriptRef { type: 'conversation.item.input_audio_transcription.completed'; transcript: string }
export interface TranscriptionFailedEvent extends ServerEnvelope { type: 'conversation.item.input_audio_transcription.failed'; item_id: string; content_index: number; error: ErrorDetail }

export type ServerEvent =
  | SessionCreatedEvent | SessionUpdatedEvent | SessionFinishedEvent | ErrorEvent
  | SpeechStartedEvent | SpeechStoppedEvent | AudioCommittedEvent | ItemCreatedEvent
  | ResponseCreatedEvent | OutputItemAddedEvent | ContentPartAddedEvent
  | AudioTranscriptTextEvent | TextTextEvent | AudioTranscriptDeltaEvent | TextDeltaEvent | AudioDeltaEvent
  | AudioTranscriptDoneEvent | TextDoneEvent | AudioDoneEvent | ContentPartDoneEvent
  | OutputItemDoneEvent | ResponseDoneEvent
  | TranscriptionTextEvent | TranscriptionDeltaEvent | TranscriptionCompletedEvent | TranscriptionFailedEvent;

export type ServerEventType = ServerEvent['type'];

/** Every server event type this package knows; anything else is passed on as `unknown`. */
export const SERVER_EVENT_TYPES: readonly ServerEventType[] = [
  'session.created', 'session.updated', 'session.finished', 'error',
  'input_audio_buffer.speech_started', 'input_audio_buffer.speech_stopped', 'input_audio_buffer.committed',
  'conversation.item.created',
  'response.created', 'response.output_item.added', 'response.content_part.added',
  'response.audio_transcript.text', 'response.text.text', 'response.audio_transcript.delta', 'response.text.delta',
  'response.audio.delta',
  'response.audio_transcript.done', 'response.text.done', 'response.audio.done', 'response.content_part.done',
  'response.output_item.done', 'response.done',
  'conversation.item.input_audio_transcription.text', 'conversation.item.input_audio_transcription.delta',
  'conversation.item.input_audio_transcription.completed',
  'conversation.item.input_audio_transcription.failed',
];
