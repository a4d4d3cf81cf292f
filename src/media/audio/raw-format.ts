/** Raw PCM formats: what a message or a WAV header says the samples are, checked before any decoding. */
import type { CoercedBytes } from './coerce';
import { AudioFormatError } from './errors';

const MAX_CHANNELS = 64;

export interface RawPcmFormat {
  sampleRate: number;
  channels: number;
  bitDepth: 8 | 16 | 24 | 32;
  float: boolean;
}

/**
 * Checks a PCM format, so a wrong setting fails with a message instead of producing noise, and an
 * absurd WAV header (1 Hz) cannot make the resampler produce ~150 MB per second of input.
 * `what` names where the format came from in the message.
 */
export function checkRawFormat(f: RawPcmFormat, what = 'raw PCM'): RawPcmFormat {
  if (!Number.isInteger(f.sampleRate) || f.sampleRate < 1000 || f.sampleRate > 768000) {
    throw new AudioFormatError(`${what} sample rate must be a whole number of Hz from 1000 to 768000, got ${String(f.sampleRate)}`);
  }
  if (!Number.isInteger(f.channels) || f.channels < 1 || f.channels > MAX_CHANNELS) {
    throw new AudioFormatError(`${what} channels must be a whole number from 1 to ${MAX_CHANNELS}, got ${String(f.channels)}`);
  }
  if (f.bitDepth !== 8 && f.bitDepth !== 16 && f.bitDepth !== 24 && f.bitDepth !== 32) {
    throw new AudioFormatError(`${what} bit depth must be 8, 16, 24 or 32, got ${String(f.bitDepth)}`);
  }
  if (f.float && f.bitDepth !== 32) {
    throw new AudioFormatError(`${what} float samples must be 32-bit, got ${f.bitDepth}-bit float`);
  }
  return f;
}

export function describeFormat(f: RawPcmFormat): string {
  return `${f.float ? 'float ' : ''}${f.bitDepth}-bit, ${f.channels} channel${f.channels === 1 ? '' : 's'}`;
}

export function sameFormat(a: RawPcmFormat, b: RawPcmFormat): boolean {
  return a.sampleRate === b.sampleRate && a.channels === b.channels && a.bitDepth === b.bitDepth && a.float === b.float;
}

export function hasAny(o: Partial<RawPcmFormat> | undefined): boolean {
  return !!o && Object.values(o).some((v) => v !== undefined);
}


/** The format of a raw chunk: the message's description over the node's defaults; typed arrays say their own. */
export function resolveRawFormat(d: RawPcmFormat, o: Partial<RawPcmFormat> | undefined, typed: CoercedBytes): RawPcmFormat {
  const sampleRate = o?.sampleRate ?? d.sampleRate;
  const channels = o?.channels ?? d.channels;
  if (typed.typedInt16) return checkRawFormat({ sampleRate, channels, bitDepth: 16, float: false });
  if (typed.typedFloat) return checkRawFormat({ sampleRate, channels, bitDepth: 32, float: true });
  const bitDepth = o?.bitDepth ?? d.bitDepth;
  // A bit depth given without `float` means integer, unless it is the default's own 32-bit float.
  const float = o?.float ?? (o?.bitDepth !== undefined ? bitDepth === 32 && d.float && d.bitDepth === 32 : d.float);
  return checkRawFormat({ sampleRate, channels, bitDepth, float });
}

const frameSize = (f: RawPcmFormat) => (f.bitDepth / 8) * f.channels;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function textNotSamples(bytes: number, f: RawPcmFormat): AudioFormatError {
  return new AudioFormatError(`text payload decodes to ${bytes} bytes, which are not whole samples of ${describeFormat(f)} PCM: `
    + 'it is not base64 audio (send the base64 of a WAV, or of whole PCM samples)');
}

export function misalignedChunk(bytes: number, carried: number, f: RawPcmFormat): string {
  return `a raw chunk of ${bytes} bytes is not whole sample frames (${frameSize(f)} bytes each for ${describeFormat(f)} PCM); `
    + `the last ${plural(carried, 'byte is', 'bytes are')} kept to go with the next chunk. If this repeats, check the bit depth and channels`;
}

export function partialFrameAtEnd(carried: number, f: RawPcmFormat): AudioFormatError {
  return new AudioFormatError(`the audio ended with ${plural(carried, 'byte', 'bytes')} that do not make a whole sample frame `
    + `(${frameSize(f)} bytes per frame for ${describeFormat(f)} PCM) and were dropped; an odd byte count usually means the bit depth `
    + 'or channel count is set wrong', 'INVALID');
}

export function truncatedWav(received: number, remaining: number, f: RawPcmFormat): AudioFormatError {
  const secs = (bytes: number) => `${(bytes / frameSize(f) / f.sampleRate).toFixed(2)} s`;
  const promised = received + remaining;
  return new AudioFormatError(`the WAV is truncated: its header promises ${promised} bytes (${secs(promised)}) of audio `
    + `but the data ended after ${received} bytes (${secs(received)}); the audio received was sent`, 'TRUNCATED');
}
