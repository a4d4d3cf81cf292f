/**
 * Any supported payload in, 16 kHz mono PCM16 out, one stream at a time, continued across messages.
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
import { AudioFormatError } from './errors';
import { bytesPerFrame, decodeToMonoInto } from './pcm';
import { StreamingResampler } from './resampler';
import { EMPTY, concat, type Stream } from './stream-state';
import { isWav, isWavStart, parseWavHeader, type WavHeader } from './wav';
import {
  checkRawFormat, hasAny, misalignedChunk, partialFrameAtEnd, resolveRawFormat, sameFormat, textNotSamples, truncatedWav, type RawPcmFormat,
} from './raw-format';

export { checkRawFormat, type RawPcmFormat };
export interface AudioChunk {
  /** msg.payload */
  data: unknown;
  /** Describes raw PCM in this chunk (overrides the defaults); ignored for WAV. */
  format?: Partial<RawPcmFormat>;
  /** Continues a stream whose header (if WAV) came in an earlier chunk. */
  part?: { index: number; count?: number; id?: string };
  /** This chunk ends the stream: the resampler tail is returned with it. */
  last?: boolean;
  /** `data` is bytes decoded from text (base64): they must make whole samples, or the text was never audio. */
  fromText?: boolean;
}

/** A WAV header split over several small chunks is collected up to this size before giving up. */
const MAX_HEADER_BYTES = 1 << 20;
/** Largest decode scratch kept between chunks (samples): 10 s at 48 kHz. */
const MAX_SCRATCH = 480000;

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
  private notices: string[] = [];
  private opened = 0;
  /** Decoded mono samples of the chunk in hand (reused: grown to the largest chunk, up to MAX_SCRATCH). */
  private scratch = new Float32Array(0);

  constructor(defaults: RawPcmFormat, targetRate = 16000) {
    this.defaults = checkRawFormat({ ...defaults });
    this.targetRate = targetRate;
  }

  /** Format of the current stream's input, undefined between streams. */
  get format(): RawPcmFormat | undefined { return this.stream ? { ...this.stream.format } : undefined; }

  /** How many streams have begun since this object was made: a change means the last chunk began one. */
  get streamsOpened(): number { return this.opened; }

  /**
   * The current stream is a WAV whose header gave no length (a pipe or a recorder streaming it): it goes
   * on with the following chunks until something ends it. Also true while a split header is collected.
   */
  get openEnded(): boolean {
    const s = this.stream;
    return !!this.headerStash || (!!s && s.fromWav && !s.complete && s.remaining === undefined);
  }

  /** The current stream began with a WAV header (or one is being collected). */
  get inWav(): boolean { return !!this.headerStash || !!this.stream?.fromWav; }

  /** Seconds of input audio decoded since this object was made (all streams). */
  get inputSeconds(): number { return this.seconds; }

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
        if (chunk.fromText) coerced.fromText = true;
        this.route(coerced, chunk, part, partStarts, partContinues, isLast, out);
      }
    } catch (e) {
      // Keep what the previous stream produced for the next call. A refused first part ends the previous
      // stream all the same (a new file began) and marks the file's remaining parts to be dropped.
      this.held.push(...out);
      if (partStarts) {
        this.refusedPartId = part!.id;
        this.headerStash = undefined;
        this.held.push(this.endStream(true));
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
    return this.problems.splice(0);
  }

  /**
   * Things worth a warning that are not the fault of the chunk in hand: a raw chunk that was not whole
   * sample frames (its odd bytes are carried, once per stream), or the short end of an earlier stream
   * that a new one interrupted. Each is returned once.
   */
  takeNotices(): string[] {
    return this.notices.splice(0);
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
          out.push(this.endStream(true));
          this.headerStash = { bytes: Buffer.from(bytes), partId: part?.id };
          return;
        }
        throw e;
      }
      out.push(this.endStream(true));
      this.startWav(header, bytes, part?.id, out, !part);
      return;
    }
    if (s?.complete && partContinues) return; // trailing bytes after the WAV's data
    // The rest of a WAV: always when msg.parts says so, otherwise unless the chunk describes itself as raw.
    const describesRaw = typed || hasAny(chunk.format);
    if (s && s.fromWav && !s.complete && (partContinues || (!partStarts && !describesRaw))) {
      this.feed(s, bytes, out);
      return;
    }
    const format = resolveRawFormat(this.defaults, chunk.format, coerced);
    if (coerced.fromText && bytes.length % bytesPerFrame(format) !== 0) throw textNotSamples(bytes.length, format);
    if (!s || s.complete || partStarts || !sameFormat(s.format, format) || s.fromWav) {
      out.push(this.endStream(true));
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
    this.startWav(header, bytes, stash.partId, out, false);
  }

  /** `whole`: the chunk is a message of its own, so a RIFF size matching its length says the file is all here. */
  private startWav(header: WavHeader, bytes: Buffer, partId: string | undefined, out: Buffer[], whole: boolean): void {
    const format = checkRawFormat({ sampleRate: header.sampleRate, channels: header.channels, bitDepth: header.bitDepth, float: header.float }, 'WAV');
    let length = header.dataLength;
    const fileHere = header.fileLength !== undefined && (bytes.length === header.fileLength || bytes.length === header.fileLength + 1);
    if (length === undefined && whole && fileHere) length = bytes.length - header.dataOffset;
    const s = this.open(format, true, length, partId);
    this.feed(s, bytes.subarray(header.dataOffset), out);
  }

  private open(format: RawPcmFormat, fromWav: boolean, remaining: number | undefined, partId: string | undefined): Stream {
    // A flushed resampler is as good as new; files in a row usually share a rate, so keep the last one
    // rather than rebuild its tables and WebAssembly memory for every file.
    let resampler = this.spare;
    if (!resampler || resampler.inRate !== format.sampleRate) resampler = new StreamingResampler(format.sampleRate, this.targetRate);
    this.spare = resampler;
    this.stream = { format, fromWav, remaining, partId, carry: EMPTY, complete: false, resampler, received: 0, warnedMisaligned: false };
    this.opened++;
    return this.stream;
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
    // File parts are cut anywhere and WAV data may be too; a loose raw chunk should be whole samples.
    if (s.carry.length > 0 && !s.fromWav && s.partId === undefined && !s.warnedMisaligned) {
      s.warnedMisaligned = true;
      this.notices.push(misalignedChunk(data.length, s.carry.length, s.format));
    }
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

  /** `interrupted`: a new stream ends this one, so its problems are not the new chunk's. */
  private endStream(interrupted = false): Buffer {
    const s = this.stream;
    this.stream = undefined;
    if (!s || s.complete) return EMPTY;
    const before = this.problems.length;
    this.noteShortEnd(s);
    if (interrupted) {
      // The misalignment was already said when it happened; anything else is news, but not an error of the new chunk.
      const found = this.problems.splice(before);
      if (!s.warnedMisaligned) for (const p of found) this.notices.push(`the previous stream ended early: ${p.message}`);
    }
    return s.resampler.flushPcm16();
  }

  private noteShortEnd(s: Stream): void {
    if (s.fromWav && s.remaining !== undefined && s.remaining > 0) this.problems.push(truncatedWav(s.received, s.remaining, s.format));
    else if (s.carry.length > 0) this.problems.push(partialFrameAtEnd(s.carry.length, s.format));
  }
}
