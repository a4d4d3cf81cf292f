/**
 * response.done usage from the published billing rules (docs/protocol.md §4): 12.5 tokens per second of
 * audio in or out, 0.5 token per 28x28 px image tile; text tokens are an estimate. The source
 * transcript is billed as output text, as the guide says.
 */
import { AUDIO_TOKENS_PER_SECOND, IMAGE_TILE_PX, IMAGE_TOKENS_PER_TILE } from '../protocol/catalog';
import type { Usage } from '../protocol/events';
import { estimateTextTokens } from './text';

/** Input text tokens of the (hidden) translation prompt; the service's example shows 20. */
export const PROMPT_TEXT_TOKENS = 20;

export function audioTokens(seconds: number): number {
  // A tiny epsilon keeps float noise (e.g. 1.6000000000000003 s) from adding a token.
  return Math.ceil(seconds * AUDIO_TOKENS_PER_SECOND - 1e-9);
}

export function imageTokens(width: number, height: number): number {
  const tiles = Math.ceil(width / IMAGE_TILE_PX) * Math.ceil(height / IMAGE_TILE_PX);
  return Math.ceil(tiles * IMAGE_TOKENS_PER_TILE);
}

export interface UsageInput {
  /** Seconds of input audio in the utterance. */
  inputAudioSeconds: number;
  /** Sum of imageTokens() of the images received for this utterance. */
  imageTokens: number;
  translation: string;
  /** Source transcript when transcription is on (billed as output text), else undefined. */
  transcript?: string;
  /** Seconds of translated speech generated (0 in text mode). */
  outputAudioSeconds: number;
}

export function computeUsage(u: UsageInput): Usage {
  const inText = PROMPT_TEXT_TOKENS;
  const inAudio = audioTokens(u.inputAudioSeconds);
  const outText = estimateTextTokens(u.translation) + (u.transcript !== undefined ? estimateTextTokens(u.transcript) : 0);
  const outAudio = audioTokens(u.outputAudioSeconds);
  const input = inText + inAudio + u.imageTokens;
  const output = outText + outAudio;
  // image_tokens only when there were images: whether the service has the field is UNCONFIRMED,
  // and without images the usage then matches the documented example key for key.
  const inputDetails: NonNullable<Usage['input_tokens_details']> = { text_tokens: inText, audio_tokens: inAudio };
  if (u.imageTokens > 0) inputDetails.image_tokens = u.imageTokens;
  return {
    total_tokens: input + output,
    input_tokens: input,
    output_tokens: output,
    input_tokens_details: inputDetails,
    output_tokens_details: { text_tokens: outText, audio_tokens: outAudio },
  };
}
