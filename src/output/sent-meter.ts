/**
 * What a session has sent, in the tokens the service bills for it: 12.5 tokens per second of input audio
 * (silence included) and 0.5 token per started 28×28 px tile of each image. An estimate made on our side,
 * so a flow can chart or cap spending before (and independently of) the usage each response.done reports.
 *
 * Audio comes from the client's own counter (RealtimeSession.stats.audioBytesSent). Image tokens are noted
 * by image-in when it hands a frame to the client, keyed by the RealtimeSession object, so this module
 * needs nothing from the client but its stats.
 */
import { AUDIO_TOKENS_PER_SECOND, INPUT_SAMPLE_RATE } from '../protocol/catalog';

export interface SentEstimate {
  /** Seconds of 16 kHz mono PCM16 appended. */
  audioSeconds: number;
  audioTokens: number;
  images: number;
  imageTokens: number;
  /** audioTokens + imageTokens. */
  tokens: number;
}

interface ImageTally { images: number; tokens: number }

const images = new WeakMap<object, ImageTally>();

/** Notes an image handed to `session` for sending, billed `tokens`. */
export function noteImageSent(session: object, tokens: number): void {
  const t = images.get(session) || { images: 0, tokens: 0 };
  t.images++;
  t.tokens += Number.isFinite(tokens) && tokens > 0 ? tokens : 0;
  images.set(session, t);
}

export function sentEstimate(session: { stats?: { audioBytesSent?: number } } | undefined): SentEstimate {
  const bytes = (session && session.stats && session.stats.audioBytesSent) || 0;
  const audioSeconds = bytes / 2 / INPUT_SAMPLE_RATE;
  const audioTokens = round2(audioSeconds * AUDIO_TOKENS_PER_SECOND);
  const t = (session && images.get(session)) || { images: 0, tokens: 0 };
  return { audioSeconds: round2(audioSeconds), audioTokens, images: t.images, imageTokens: t.tokens, tokens: round2(audioTokens + t.tokens) };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
