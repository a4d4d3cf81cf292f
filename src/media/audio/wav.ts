/**
 * A lenient WAV (RIFF / RF64) header reader and a plain 16-bit writer.
 *
 * Lenient because WAVs in flows come from many writers: browser microphone widgets write wrong block-align
 * and byte-rate, streaming writers put 0 or 0xFFFFFFFF as the data size, editors add LIST/fact/bext chunks
 * before the data. We trust only channels, sampleRate and bitsPerSample (and the format tag), recompute the
 * rest, and say clearly what we refuse.
 */
import { bytesAre } from '../bytes';
import { AudioFormatError } from './errors';

export interface WavFormat {
  sampleRate: number;
  channels: number;
  bitDepth: 8 | 16 | 24 | 32;
  float: boolean;
}

export interface WavHeader extends WavFormat {
  /** Byte offset of the first sample in the buffer that was parsed. */
  dataOffset: number;
  /** Bytes of sample data; undefined when the header says 0 or 0xFFFFFFFF (streamed from a pipe): data runs to the end. */
  dataLength: number | undefined;
  /** Bytes of the whole file as the RIFF size says; undefined when that is a streaming placeholder too. */
  fileLength: number | undefined;
}

/**
 * Sizes that writers streaming to a pipe put in place of the real one: 0, 0xFFFFFFFF, and sox's
 * 0x7FFFF000 (2 GiB minus a page, with the RIFF size to match). No WAV that size travels in a message.
 */
function isPlaceholderSize(size: number): boolean {
  return size === 0 || size >= 0x7ffff000;
}

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;

/** Names of format tags people actually meet, so the error can say "A-law" instead of "tag 6". */
const KNOWN_TAGS: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG audio',
  0x0055: 'MP3',
  0x00ff: 'AAC',
  0x1610: 'AAC',
  0xf1ac: 'FLAC',
};

const ACCEPTED = 'accepted: PCM 8/16/24/32-bit integer or 32-bit float (format tag 1, 3 or EXTENSIBLE)';

/** Largest channel count we take: more is far likelier a garbled header than a real recording. */
const MAX_CHANNELS = 64;

function ascii(buf: Uint8Array, at: number, len = 4): string {
  return String.fromCharCode(...buf.subarray(at, at + len));
}

/** True when the bytes start like a WAV file: RIFF (or RF64 / BW64) then WAVE at offset 8. */
export function isWav(buf: Uint8Array): boolean {
  if (buf.length < 12) return false;
  return (bytesAre(buf, 0, 'RIFF') || bytesAre(buf, 0, 'RF64') || bytesAre(buf, 0, 'BW64')) && bytesAre(buf, 8, 'WAVE');
}

interface FmtChunk extends WavFormat {
  formatTag: number;
}

function parseFmt(buf: Buffer, at: number, size: number): FmtChunk {
  if (size < 16) throw new AudioFormatError(`WAV fmt chunk is ${size} bytes; it needs at least 16`, 'INVALID');
  if (at + 16 > buf.length) throw new AudioFormatError('WAV header is truncated inside the fmt chunk', 'TRUNCATED');
  let formatTag = buf.readUInt16LE(at);
  const channels = buf.readUInt16LE(at + 2);
  const sampleRate = buf.readUInt32LE(at + 4);
  const bits = buf.readUInt16LE(at + 14);
  if (formatTag === FORMAT_EXTENSIBLE) {
    // The real format is the first two bytes of the SubFormat GUID (…-0000-0010-8000-00aa00389b71).
    if (size < 40 || at + 40 > buf.length) {
      if (at + 40 > buf.length && size >= 40) throw new AudioFormatError('WAV header is truncated inside the EXTENSIBLE fmt chunk', 'TRUNCATED');
      throw new AudioFormatError(`WAV fmt chunk says WAVE_FORMAT_EXTENSIBLE but is only ${size} bytes (needs 40)`, 'INVALID');
    }
    formatTag = buf.readUInt16LE(at + 24);
  }
  if (formatTag !== FORMAT_PCM && formatTag !== FORMAT_FLOAT) {
    const name = KNOWN_TAGS[formatTag];
    const what = name ? `${name} (format tag ${formatTag})` : `format tag ${formatTag}`;
    throw new AudioFormatError(`WAV contains ${what}, which is not supported; ${ACCEPTED}`, 'UNSUPPORTED');
  }
  if (channels === 0) throw new AudioFormatError(`WAV header says 0 channels; accepted: 1 to ${MAX_CHANNELS}`, 'INVALID');
  if (channels > MAX_CHANNELS) throw new AudioFormatError(`WAV header says ${channels} channels; accepted: 1 to ${MAX_CHANNELS}`, 'INVALID');
  if (sampleRate === 0) throw new AudioFormatError('WAV header says sample rate 0 Hz', 'INVALID');
  const float = formatTag === FORMAT_FLOAT;
  if (float && bits !== 32) {
    throw new AudioFormatError(`WAV contains ${bits}-bit float samples, which are not supported; ${ACCEPTED}`, 'UNSUPPORTED');
  }
  if (bits !== 8 && bits !== 16 && bits !== 24 && bits !== 32) {
    throw new AudioFormatError(`WAV has ${bits} bits per sample, which is not supported; ${ACCEPTED}`, 'UNSUPPORTED');
  }
  // blockAlign and byteRate are deliberately ignored: they follow from the fields above, and some writers
  // get them wrong (a browser widget wrote byteRate for the wrong rate; we believe sampleRate).
  return { formatTag, channels, sampleRate, bitDepth: bits, float };
}

/**
 * Reads a WAV header: walks the chunks until `data`, skipping any others (LIST, fact, bext, JUNK...).
 * Throws AudioFormatError: code 'TRUNCATED' when `buf` ends before the data chunk starts (a stream may
 * still complete it), 'UNSUPPORTED' / 'INVALID' otherwise.
 */
export function parseWavHeader(buf: Buffer): WavHeader {
  if (buf.length < 12) {
    if (buf.length >= 4 && !isWavPrefix(buf)) throw notWav(buf);
    throw new AudioFormatError(`WAV header is truncated: ${buf.length} bytes, a header needs at least 44`, 'TRUNCATED');
  }
  if (!isWav(buf)) throw notWav(buf);
  const rf64 = ascii(buf, 0) !== 'RIFF';
  const riffSize = buf.readUInt32LE(4);
  const fileLength = rf64 || isPlaceholderSize(riffSize) ? undefined : riffSize + 8;
  let ds64DataSize: number | undefined;
  let fmt: FmtChunk | undefined;
  let at = 12;
  for (;;) {
    if (at + 8 > buf.length) {
      throw new AudioFormatError(`WAV header is truncated: no data chunk in the first ${buf.length} bytes`, 'TRUNCATED');
    }
    const id = ascii(buf, at);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      fmt = parseFmt(buf, body, size);
    } else if (id === 'ds64') {
      // RF64: the real (64-bit) data size lives here; the data chunk's own size field is 0xFFFFFFFF.
      if (body + 16 > buf.length) throw new AudioFormatError('WAV header is truncated inside the ds64 chunk', 'TRUNCATED');
      ds64DataSize = buf.readUInt32LE(body + 8) + buf.readUInt32LE(body + 12) * 0x100000000;
    } else if (id === 'data') {
      if (!fmt) throw new AudioFormatError('WAV has a data chunk before any fmt chunk, so its format is unknown', 'INVALID');
      let dataLength: number | undefined = size;
      if (rf64 && size === 0xffffffff && ds64DataSize !== undefined) dataLength = ds64DataSize;
      // Writers streaming to a pipe cannot seek back to fill the size in: 0 or 0xFFFFFFFF means "until the end".
      if (isPlaceholderSize(dataLength) && dataLength !== ds64DataSize) dataLength = undefined;
      const { formatTag: _tag, ...format } = fmt;
      return { ...format, dataOffset: body, dataLength, fileLength };
    }
    // Chunks are padded to an even length; the pad byte is not counted in the size.
    at = body + size + (size & 1);
  }
}

/** The first few bytes of a WAV, too short for isWav (a header cut into tiny chunks). */
export function isWavStart(b: Buffer): boolean {
  if (b.length < 4 || b.length >= 12) return false;
  const magic = b.toString('latin1', 0, 4);
  return (magic === 'RIFF' || magic === 'RF64' || magic === 'BW64') && 'WAVE'.startsWith(b.toString('latin1', 8, Math.min(12, b.length)));
}

function isWavPrefix(buf: Uint8Array): boolean {
  const head = ascii(buf, 0);
  return head === 'RIFF' || head === 'RF64' || head === 'BW64';
}

function notWav(buf: Uint8Array): AudioFormatError {
  return new AudioFormatError(`not a WAV file: expected "RIFF....WAVE", got ${JSON.stringify(ascii(buf, 0, Math.min(12, buf.length)))}`, 'INVALID');
}

/** A 16-bit PCM WAV with the canonical 44-byte header. A trailing partial frame in `pcm16` is dropped. */
export function encodeWav(pcm16: Buffer, sampleRate: number, channels = 1): Buffer {
  const blockAlign = 2 * channels;
  const dataLength = pcm16.length - (pcm16.length % blockAlign);
  const out = Buffer.alloc(44 + dataLength);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataLength, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(FORMAT_PCM, 20);
  out.writeUInt16LE(channels, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * blockAlign, 28);
  out.writeUInt16LE(blockAlign, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataLength, 40);
  pcm16.copy(out, 44, 0, dataLength);
  return out;
}
