/** The state of one input stream between messages (a file in parts, a WAV and its data chunks, live raw PCM). */
import type { RawPcmFormat } from './raw-format';
import type { StreamingResampler } from './resampler';

export const EMPTY = Buffer.alloc(0);

export interface Stream {
  format: RawPcmFormat;
  fromWav: boolean;
  /** Data bytes the WAV header still promises; undefined = until the stream ends. */
  remaining: number | undefined;
  /** The bytes of a partial frame, waiting for the rest. */
  carry: Buffer;
  resampler: StreamingResampler;
  partId: string | undefined;
  /** All promised data arrived and the tail was emitted; later chunks of the same parts are trailing bytes. */
  complete: boolean;
  /** Data bytes received so far. */
  received: number;
  /** A chunk of this raw stream was not whole sample frames; said once per stream. */
  warnedMisaligned: boolean;
}

/** One Buffer of the non-empty parts, without a copy when there is only one. */
export function concat(parts: Buffer[]): Buffer {
  const nonEmpty = parts.filter((p) => p.length > 0);
  if (nonEmpty.length === 0) return EMPTY;
  return nonEmpty.length === 1 ? nonEmpty[0] : Buffer.concat(nonEmpty);
}
