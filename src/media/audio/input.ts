/**
 * The normaliser between what flows carry and what the service takes: any supported payload in, 16 kHz
 * mono PCM16 out, one stream at a time, continued across messages.
 *
 * Stream rules (why each exists):
 * - A WAV header starts a stream whose format comes from the header; the chunks that follow are raw data of
 *   that format. Core `file in` in chunk mode sends msg.parts {index, count, id} with the header only in the
 *   first chunk and cuts anywhere, so partial frames are carried over to the next chunk.
 * - part.index 0, a new part.id, or a new WAV header starts a new stream; the old one's resampler tail is
 *   returned first, so nothing is lost.
 * - Raw PCM takes the constructor's defaults overridden per chunk; a format change starts a new stream
 *   (a resampler cannot change rates midway).
 * - When the header says how long the data is, bytes beyond it (trailing LIST chunks) are ignored, and the
 *   stream's tail is emitted as soon as the last sample arrives.
 * - A bad chunk throws AudioFormatError and is skipped; the object stays usable for the next one.
 * - A stream that ends short (a WAV whose data stops before its header says, or bytes that do not make a
 *   whole sample frame) still gives all the audio it held; the problem is kept for takeProblems(), so the
 *   caller can report it after sending that audio.
 */
import { type CoercedBytes, coerceToBytes } from './coerce';

export { coerceToBytes };
import { AudioFormatError } from './errors';
import { bytesPerFrame, decodeToMonoInto } from './pcm';
import { StreamingResampler } from './resampler';
import { isWav, parseWavHeader, type WavHeader } from './wav';

export interface RawPcmFormat {
  sampleRate: number;
  channels: number;
  bitDepth: 8 | 16 | 24 | 32;
  float: boolean;
}

export interface AudioChunk {
  /** msg.payload */
  data: unknown;
  /** Describes raw PCM in this chunk (overrides the defaults); ignored for WAV. */
  format?: Partial<RawPcmFormat>;
  /** Continues a stream whose header (if WAV) came in an earlier chunk. */
  part?: { index: number; count?: number; id?: string };
  /** This chunk ends the stream: the resampler tail is returned with it. */
  last?: boolean;
}

/** A WAV header split over several small chunks is collected up to this size before giving up. */
const MAX_HEADER_BYTES = 1 << 20;
const MAX_CHANNELS = 64;
const EMPTY = Buffer.alloc(0);
/** Largest decode scratch kept between chunks (samples): 10 s at 48 kHz. */
const MAX_SCRATCH = 480000;

interface Stream {
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

function sameFormat(a: RawPcmFormat, b: RawPcmFormat): boolean {
  return a.sampleRate === b.sampleRate && a.channels === b.channels && a.bitDepth === b.bitDepth && a.float === b.float;
}

/** The first few bytes of a WAV, too short for isWav (a header cut into tiny chunks). */
function isWavStart(b: Buffer): boolean {
  if (b.length < 4 || b.length >= 12) return false;
  const magic = b.toString('latin1', 0, 4);
  return (magic === 'RIFF' || magic === 'RF64' || magic === 'BW64') && 'WAVE'.startsWith(b.toString('latin1', 8, Math.min(12, b.length)));
}

function hasAny(o: Partial<RawPcmFormat> | undefined): boolean {
  return !!o && Object.values(o).some((v) => v !== undefined);
}

function concat(parts: Buffer[]): Buffer {
  const nonEmpty = parts.filter((p) => p.length > 0);
  if (nonEmpty.length === 0) return EMPTY;
  return nonEmpty.length === 1 ? nonEmpty[0] : Buffer.concat(nonEmpty);
}

export class AudioInputStream {
  readonly targetRate: number;
  private readonly defaults: RawPcmFormat;
  private stream: Stream | undefined;
  /** The start of a WAV whose header has not fully arrived yet. */
  private headerStash: { bytes: Buffer; partId: string | undefined } | undefined;
  /** Output produced while a chunk then failed; handed out with the next successful call. */
  private held: Buffer[] = [];
  private refusedPartId: string | undefined;
  /** The last stream's resampler, always flushed before a new stream takes it. */
  private spare: StreamingResampler | undefined;
  private seconds = 0;
  private problems: AudioFormatError[] = [];
  /** Decoded mono samples of the chunk in hand (reused: grown to the largest chunk, up to MAX_SCRATCH). */
  private scratch = new Float32Array(0);

  constructor(defaults: RawPcmFormat, targetRate = 16000) {
    this.defaults = checkRawFormat({ ...defaults });
    this.targetRate = targetRate;
  }

  /** Format of the current stream's input, undefined between streams. */
  get format(): RawPcmFormat | undefined {
    return this.stream ? { ...this.stream.format } : undefined;
  }

  /** Seconds of input audio decoded since this object was made (all streams). */
  get inputSeconds(): number {
    return this.seconds;
  }

  /** Takes one chunk; returns the 16 kHz mono PCM16 that is ready now (not framed; may be empty). */
  push(chunk: AudioChunk): Buffer {
    const part = chunk.part;
    const current = this.stream?.partId ?? this.headerStash?.partId;
    const partStarts = !!part && (part.index === 0 || (part.id !== undefined && part.id !== current));
    const partContinues = !!part && !partStarts && (!!this.stream || !!this.headerStash);
    const isLast = !!chunk.last || (!!part && part.count !== undefined && part.index >= part.count - 1);

    // The rest of a file whose first chunk was refused (an MP3 sent in parts) is dropped quietly: one
    // error per file, not one per chunk, and no noise from decoding its middle as raw PCM.
    if (part && part.index > 0 && part.id !== undefined && part.id === this.refusedPartId) return this.release([]);
    const out: Buffer[] = [];
    try {
      if (this.headerStash && !partStarts) {
        const coerced = coerceToBytes(chunk.data, { sniff: false });
        this.resumeHeader(coerced.bytes, isLast, out);
      } else {
        this.headerStash = undefined;
        // Magic bytes mean nothing inside a file (file-in parts, or the data after a WAV header): there the
        // bytes are samples and may look like anything. Elsewhere each message may be a new file.
        const s = this.stream;
        const insideWav = !!s && s.fromWav && !s.complete && !partStarts;
        const sniff = !partContinues && !insideWav;
        const coerced = coerceToBytes(chunk.data, { sniff });
        this.route(coerced, chunk, part, partStarts, partContinues, isLast, out);
      }
    } catch (e) {
      // Keep what the previous stream produced for the next call. A refused first part ends the previous
      // stream all the same (a new file began) and marks the file's remaining parts to be dropped.
      this.held.push(...out);
      if (partStarts) {
        this.refusedPartId = part!.id;
        this.headerStash = undefined;
        this.held.push(this.endStream());
      }
      throw e;
    }
    if (partStarts) this.refusedPartId = undefined;
    if (isLast) out.push(this.endStream());
    return this.release(out);
  }

  /**
   * Problems found where a stream ended (truncated WAV data, a partial sample frame), oldest first; the
   * audio was delivered anyway. Each is returned once.
   */
  takeProblems(): AudioFormatError[] {
    const p = this.problems;
    this.problems = [];
    return p;
  }

  /** Ends the current stream: returns the resampler's tail. The next push starts a new stream. */
  end(): Buffer {
    this.headerStash = undefined;
    return this.release([this.endStream()]);
  }

  private release(out: Buffer[]): Buffer {
    const all = concat([...this.held, ...out]);
    this.held = [];
    return all;
  }

  private route(coerced: CoercedBytes, chunk: AudioChunk, part: AudioChunk['part'], partStarts: boolean,
    partContinues: boolean, isLast: boolean, out: Buffer[]): void {
    const typed = !!coerced.typedFloat || !!coerced.typedInt16;
    const bytes = coerced.bytes;
    let s = this.stream;
    if (!typed && !partContinues && (isWav(bytes) || isWavStart(bytes))) {
      let header: WavHeader;
      try {
        header = parseWavHeader(bytes);
      } catch (e) {
        if (e instanceof AudioFormatError && e.code === 'TRUNCATED' && !isLast) {
          out.push(this.endStream());
          this.headerStash = { bytes: Buffer.from(bytes), partId: part?.id };
          return;
        }
        throw e;
      }
      out.push(this.endStream());
      this.startWav(header, bytes, part?.id, out);
      return;
    }
    if (s?.complete && partContinues) return; // trailing bytes after the WAV's data
    // The rest of a WAV: always when msg.parts says so, otherwise unless the chunk describes itself as raw.
    const describesRaw = typed || hasAny(chunk.format);
    if (s && s.fromWav && !s.complete && (partContinues || (!partStarts && !describesRaw))) {
      this.feed(s, bytes, out);
      return;
    }
    const format = this.resolveFormat(chunk.format, coerced);
    if (!s || s.complete || partStarts || !sameFormat(s.format, format) || s.fromWav) {
      out.push(this.endStream());
      s = this.open(format, false, undefined, part?.id);
    }
    this.feed(s, bytes, out);
  }

  private resumeHeader(more: Buffer, isLast: boolean, out: Buffer[]): void {
    const stash = this.headerStash!;
    const bytes = Buffer.concat([stash.bytes, more]);
    let header: WavHeader;
    try {
      header = parseWavHeader(bytes);
    } catch (e) {
      if (e instanceof AudioFormatError && e.code === 'TRUNCATED' && !isLast && bytes.length < MAX_HEADER_BYTES) {
        stash.bytes = bytes;
        return;
      }
      this.headerStash = undefined;
      throw e;
    }
    this.headerStash = undefined;
    this.startWav(header, bytes, stash.partId, out);
  }

  private startWav(header: WavHeader, bytes: Buffer, partId: string | undefined, out: Buffer[]): void {
    const format = checkRawFormat({ sampleRate: header.sampleRate, channels: header.channels, bitDepth: header.bitDepth, float: header.float }, 'WAV');
    const s = this.open(format, true, header.dataLength, partId);
    this.feed(s, bytes.subarray(header.dataOffset), out);
  }

  private open(format: RawPcmFormat, fromWav: boolean, remaining: number | undefined, partId: string | undefined): Stream {
    // A flushed resampler is as good as new; files in a row usually share a rate, so keep the last one
    // rather than rebuild its tables and WebAssembly memory for every file.
    let resampler = this.spare;
    if (!resampler || resampler.inRate !== format.sampleRate) resampler = new StreamingResampler(format.sampleRate, this.targetRate);
    this.spare = resampler;
    this.stream = { format, fromWav, remaining, partId, carry: EMPTY, complete: false, resampler, received: 0 };
    return this.stream;
  }

  private resolveFormat(o: Partial<RawPcmFormat> | undefined, coerced: CoercedBytes): RawPcmFormat {
    const d = this.defaults;
    const sampleRate = o?.sampleRate ?? d.sampleRate;
    const channels = o?.channels ?? d.channels;
    // Typed arrays say what they hold, whatever the settings say.
    if (coerced.typedInt16) return checkRawFormat({ sampleRate, channels, bitDepth: 16, float: false });
    if (coerced.typedFloat) return checkRawFormat({ sampleRate, channels, bitDepth: 32, float: true });
    const bitDepth = o?.bitDepth ?? d.bitDepth;
    // A bit depth given without `float` means integer, unless it is the default's own 32-bit float.
    const float = o?.float ?? (o?.bitDepth !== undefined ? bitDepth === 32 && d.float && d.bitDepth === 32 : d.float);
    return checkRawFormat({ sampleRate, channels, bitDepth, float });
  }

  /** Decodes, down-mixes and resamples one chunk's data bytes into `out`. */
  private feed(s: Stream, data: Buffer, out: Buffer[]): void {
    if (s.remaining !== undefined && data.length > s.remaining) data = data.subarray(0, s.remaining);
    if (s.remaining !== undefined) s.remaining -= data.length;
    s.received += data.length;
    const bytes = s.carry.length ? Buffer.concat([s.carry, data]) : data;
    const frameBytes = bytesPerFrame(s.format);
    const whole = bytes.length - (bytes.length % frameBytes);
    // Copy: the caller may reuse its Buffer, and the carry must outlive it.
    s.carry = whole < bytes.length ? Buffer.from(bytes.subarray(whole)) : EMPTY;
    const f = s.format;
    if (f.sampleRate === this.targetRate && f.channels === 1 && f.bitDepth === 16 && !f.float) {
      // Already what the service takes: a copy, not a round trip through float (bit-identical).
      this.seconds += whole / 2 / f.sampleRate;
      out.push(Buffer.from(bytes.subarray(0, whole)));
      if (s.remaining === 0) s.complete = true;
      return;
    }
    // On a decode error the chunk's bytes stay consumed, so the frames that follow stay aligned.
    // The decoded samples may live in a scratch array reused by the next chunk: the resampler copies them.
    const mono = decodeToMonoInto(bytes.subarray(0, whole), s.format, this.scratch);
    if (mono.length > this.scratch.length && mono.length <= MAX_SCRATCH) this.scratch = new Float32Array(mono.length);
    this.seconds += mono.length / s.format.sampleRate;
    out.push(s.resampler.processPcm16(mono));
    if (s.remaining === 0 && !s.complete) {
      s.complete = true;
      out.push(s.resampler.flushPcm16());
    }
  }

  private endStream(): Buffer {
    const s = this.stream;
    this.stream = undefined;
    if (!s || s.complete) return EMPTY;
    this.noteShortEnd(s);
    return s.resampler.flushPcm16();
  }

  private noteShortEnd(s: Stream): void {
    const f = s.format;
    const frame = bytesPerFrame(f);
    const secs = (bytes: number) => `${(bytes / frame / f.sampleRate).toFixed(2)} s`;
    if (s.fromWav && s.remaining !== undefined && s.remaining > 0) {
      const promised = s.received + s.remaining;
      this.problems.push(new AudioFormatError(`the WAV is truncated: its header promises ${promised} bytes (${secs(promised)}) of audio `
        + `but the data ended after ${s.received} bytes (${secs(s.received)}); the audio received was sent`, 'TRUNCATED'));
    } else if (s.carry.length > 0) {
      const kind = `${f.float ? 'float ' : ''}${f.bitDepth}-bit, ${f.channels} channel${f.channels === 1 ? '' : 's'}`;
      this.problems.push(new AudioFormatError(`the audio ended with ${s.carry.length} byte${s.carry.length === 1 ? '' : 's'} that do not make a whole `
        + `sample frame (${frame} bytes per frame for ${kind} PCM) and were dropped; an odd byte count usually means the bit depth `
        + 'or channel count is set wrong', 'INVALID'));
    }
  }
}
