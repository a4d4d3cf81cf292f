/**
 * Recognises compressed audio containers by their magic bytes, so that an MP3 sent by mistake gets a clear
 * "MP3 is not supported" instead of being played to the service as loud noise.
 *
 * Only call this on the first bytes of a stream: raw PCM can start with anything, and the MPEG/ADTS sync
 * words are short, so those checks demand two valid frame headers one frame apart.
 */
import { bytesAre } from '../bytes';

/**
 * What the bytes are when they are clearly not audio at all (an image, a document, text), or undefined.
 * Every check needs at least four exact bytes or a whole header's worth of structure: raw PCM reaches
 * this function at the start of every live chunk, and a false alarm would refuse good audio.
 */
export function sniffNotAudio(b: Uint8Array): string | undefined {
  if (b.length < 4) return undefined;
  const text = (at: number, s: string) => bytesAre(b, at, s);
  if (isJpeg(b)) return 'a JPEG image';
  if (b[0] === 0x89 && text(1, 'PNG\r\n\x1a\n')) return 'a PNG image';
  if (text(0, 'GIF87a') || text(0, 'GIF89a')) return 'a GIF image';
  if (text(0, 'RIFF') && text(8, 'WEBP')) return 'a WebP image';
  if ((text(0, 'II*\0') || text(0, 'MM\0*')) && b.length >= 8) return 'a TIFF image';
  if (text(0, 'BM') && b.length >= 18 && BMP_DIB_SIZES.has(b[14] | (b[15] << 8)) && b[16] === 0 && b[17] === 0 && (b[6] | b[7] | b[8] | b[9]) === 0) return 'a BMP image';
  if (text(0, '%PDF-')) return 'a PDF document';
  if (text(0, 'PK\x03\x04')) return 'a ZIP archive (or an Office document)';
  if (isText(b)) return 'text';
  return undefined;
}

/** DIB header sizes a real BMP can have. */
const BMP_DIB_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124]);

/** SOI then an APPn/DQT/SOF/DHT/COM marker whose length field is plausible: a bare FF D8 FF is two PCM samples. */
function isJpeg(b: Uint8Array): boolean {
  if (b.length < 6 || b[0] !== 0xff || b[1] !== 0xd8 || b[2] !== 0xff) return false;
  const marker = b[3];
  const length = (b[4] << 8) | b[5];
  if (marker === 0xe0) return bytesAre(b, 6, 'JFIF\0');
  if (marker === 0xe1) return bytesAre(b, 6, 'Exif\0');
  if (marker === 0xdb) return length === 67 || length === 132 || length === 197 || length === 262;
  return false;
}

/** 32+ bytes of printable ASCII (tabs and line breaks allowed): a sentence, JSON or HTML, not samples. */
function isText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 256);
  if (n < 32) return false;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (!(c >= 0x20 && c <= 0x7e) && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

/** The format's name, or undefined when the bytes do not look like a known compressed format. */
export function sniffCompressed(b: Uint8Array): string | undefined {
  if (b.length < 4) return undefined;
  const tag = String.fromCharCode(b[0], b[1], b[2], b[3]);
  if (isId3(b)) return 'MP3';
  if (tag === 'OggS') return 'Ogg (Opus/Vorbis)';
  if (tag === 'fLaC') return 'FLAC';
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'WebM/Matroska';
  if (tag === 'FORM' && b.length >= 12) {
    const kind = String.fromCharCode(b[8], b[9], b[10], b[11]);
    if (kind === 'AIFF' || kind === 'AIFC') return 'AIFF';
  }
  if (tag === '#!AM') return 'AMR';
  if (b.length >= 8 && String.fromCharCode(b[4], b[5], b[6], b[7]) === 'ftyp') return 'MP4/M4A (AAC)';
  if (isAdts(b)) return 'AAC (ADTS)';
  if (isMpegFrame(b)) return 'MP3';
  return undefined;
}

// Layer III bitrates (kbit/s) by bitrate index, for MPEG-1 and for MPEG-2/2.5; used to find the next frame.
const BITRATES_V1_L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V2_L3 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const SAMPLE_RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

/** Length in bytes of the MP3 (MPEG Layer III) frame whose header starts at `at`, or undefined if none does. */
function mp3FrameLength(b: Uint8Array, at: number): number | undefined {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1] & 0xe0) !== 0xe0) return undefined;
  const version = (b[at + 1] >> 3) & 3; // 0: 2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
  const layer = (b[at + 1] >> 1) & 3; // 1: Layer III
  const bitrate = b[at + 2] >> 4;
  const rate = (b[at + 2] >> 2) & 3;
  if (version === 1 || layer !== 1 || bitrate === 0 || bitrate === 15 || rate === 3) return undefined;
  const kbps = (version === 3 ? BITRATES_V1_L3 : BITRATES_V2_L3)[bitrate];
  const padding = (b[at + 2] >> 1) & 1;
  return Math.floor(((version === 3 ? 144 : 72) * kbps * 1000) / SAMPLE_RATES[version][rate]) + padding;
}

/**
 * A frame header followed, exactly one frame later, by another: a lone 0xFFEx can be two PCM samples
 * (quiet audio is full of 0xFFFF), two headers at the right distance are not. MP3s without ID3 tags are
 * rare enough that needing the second frame in the first chunk costs nothing.
 */
function isMpegFrame(b: Uint8Array): boolean {
  const length = mp3FrameLength(b, 0);
  return length !== undefined && mp3FrameLength(b, length) !== undefined;
}

function adtsFrameLength(b: Uint8Array, at: number): number | undefined {
  // 12-bit sync, layer 00, a valid sampling-frequency index (0..12) and a frame length >= the header.
  if (at + 7 > b.length || b[at] !== 0xff || (b[at + 1] & 0xf6) !== 0xf0) return undefined;
  const freq = (b[at + 2] >> 2) & 0x0f;
  const length = ((b[at + 3] & 0x03) << 11) | (b[at + 4] << 3) | (b[at + 5] >> 5);
  return freq <= 12 && length >= 7 ? length : undefined;
}

function isAdts(b: Uint8Array): boolean {
  const length = adtsFrameLength(b, 0);
  return length !== undefined && adtsFrameLength(b, length) !== undefined;
}

/** An ID3v2 tag (what most MP3 files start with): "ID3", version 2..4, and four 7-bit ("sync-safe") size bytes. */
function isId3(b: Uint8Array): boolean {
  return b.length >= 10 && b[0] === 0x49 && b[1] === 0x44 && b[2] === 0x33 && b[3] >= 2 && b[3] <= 4
    && b[4] !== 0xff && (b[6] | b[7] | b[8] | b[9]) < 0x80;
}
