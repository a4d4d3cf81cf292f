/**
 * Turns whatever a flow carries in msg.payload into bytes: Buffers, typed arrays, JSON-serialised Buffers
 * (what a Buffer becomes after a trip through JSON, e.g. MQTT or a websocket), base64 strings, data URLs
 * and plain arrays of numbers. Typed sample arrays say what they hold, so the caller can set the format.
 */
import { AudioFormatError } from './errors';
import { sniffCompressed, sniffNotAudio } from './sniff';
import { isWav } from './wav';

export interface CoercedBytes {
  bytes: Buffer;
  /** The payload held 32-bit float samples (Float32Array, Float64Array, or an array of numbers in [-1, 1]). */
  typedFloat?: boolean;
  /** The payload held signed 16-bit samples (Int16Array, or an array of integers in the int16 range). */
  typedInt16?: boolean;
  /** The payload was text (base64 or a data URL): it must decode to whole samples, or it was never audio. */
  fromText?: boolean;
}

export interface CoerceOptions {
  /** Reject compressed formats by their magic bytes (default true). Off for the middle of a stream. */
  sniff?: boolean;
}

const ACCEPTED = 'accepted: a Buffer of WAV or raw PCM, base64 text, a data URL (data:audio/wav;base64,...), '
  + 'Int16Array, Float32Array, or an array of numbers';

function view(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function float32Bytes(values: ArrayLike<number>): Buffer {
  return view(Float32Array.from(values));
}

function fromNumbers(arr: unknown[]): CoercedBytes {
  let allBytes = true;
  let allInt16 = true;
  let allUnit = true;
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new AudioFormatError(`payload array holds ${typeof v === 'number' ? String(v) : typeof v} at index ${i}; arrays must hold finite numbers (${ACCEPTED})`);
    }
    const int = Number.isInteger(v);
    if (!int || v < 0 || v > 255) allBytes = false;
    if (!int || v < -32768 || v > 32767) allInt16 = false;
    if (v < -1 || v > 1) allUnit = false;
  }
  // A byte array is only believed when it is visibly a file (a JSON'd WAV); otherwise numbers are samples:
  // floats when all lie in [-1, 1], else 16-bit integers.
  if (allBytes && isWav(Uint8Array.from(arr.slice(0, 12) as number[]))) return { bytes: Buffer.from(arr as number[]) };
  if (allUnit) return { bytes: float32Bytes(arr as number[]), typedFloat: true };
  if (allInt16) return { bytes: view(Int16Array.from(arr as number[])), typedInt16: true };
  throw new AudioFormatError(`payload array holds numbers that are neither samples in [-1, 1] nor 16-bit integers; ${ACCEPTED}`);
}

function fromString(s: string): Buffer {
  const trimmed = s.trim();
  if (trimmed.startsWith('data:')) {
    const comma = trimmed.indexOf(',');
    const meta = comma < 0 ? '' : trimmed.slice(5, comma);
    if (comma < 0 || !/;base64$/i.test(meta)) {
      throw new AudioFormatError(`data URL payload must be base64-encoded (data:audio/wav;base64,...), got "${trimmed.slice(0, 40)}..."`);
    }
    return decodeBase64(trimmed.slice(comma + 1), 'data URL');
  }
  return decodeBase64(trimmed, 'string payload');
}

function decodeBase64(text: string, what: string): Buffer {
  // Base64 is wrapped at line ends, never broken by spaces inside a line: "hello world" is words.
  if (/[A-Za-z0-9+/=][ \t]+[A-Za-z0-9+/=]/.test(text)) {
    throw new AudioFormatError(`${what} is text ("${text.slice(0, 24)}${text.length > 24 ? '...' : ''}"), not base64 audio; ${ACCEPTED}`);
  }
  const compact = text.replace(/\s+/g, '');
  // Buffer.from(..., 'base64') silently skips junk; check first so "hello world" is an error, not noise.
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw new AudioFormatError(`${what} is not base64 audio ("${compact.slice(0, 24)}${compact.length > 24 ? '...' : ''}"); ${ACCEPTED}`);
  }
  return Buffer.from(compact, 'base64');
}

/**
 * Bytes of msg.payload. Throws AudioFormatError naming what was received and what is accepted, and, with
 * sniffing on, naming a compressed format (MP3, Ogg, FLAC, WebM, AAC...) if the bytes are one.
 */
export function coerceToBytes(data: unknown, options: CoerceOptions = {}): CoercedBytes {
  let out: CoercedBytes;
  // Typed arrays made in a Function node come from another realm (its vm context), where `instanceof`
  // fails: they are told apart by their built-in tag, which every realm shares.
  const isBuffer = Buffer.isBuffer(data);
  const tag = isBuffer ? 'Buffer' : Object.prototype.toString.call(data).slice(8, -1);
  if (isBuffer) out = { bytes: data };
  else if (ArrayBuffer.isView(data)) out = fromView(data, tag);
  else if (tag === 'ArrayBuffer' || tag === 'SharedArrayBuffer') out = { bytes: Buffer.from(data as ArrayBuffer) };
  else if (typeof data === 'string') out = { bytes: fromString(data), fromText: true };
  else if (Array.isArray(data)) out = fromNumbers(data);
  else if (isSerialisedBuffer(data)) out = { bytes: Buffer.from(data.data) };
  else {
    const what = data === null ? 'null' : Array.isArray(data) ? 'array' : typeof data;
    throw new AudioFormatError(`payload is ${what === 'object' ? 'an object' : what}, which is not audio; ${ACCEPTED}`);
  }
  if (options.sniff !== false && !out.typedFloat && !out.typedInt16) {
    const other = sniffNotAudio(out.bytes);
    if (other) throw new AudioFormatError(`payload is ${other}, not audio; ${ACCEPTED}`);
    const format = sniffCompressed(out.bytes);
    if (format) {
      throw new AudioFormatError(`${format} is not supported; send WAV or raw PCM (e.g. convert with ffmpeg -i in.mp3 -ar 16000 -ac 1 out.wav)`, 'UNSUPPORTED');
    }
  }
  return out;
}

function fromView(data: ArrayBufferView, tag: string): CoercedBytes {
  switch (tag) {
    case 'Int16Array': return { bytes: view(data), typedInt16: true };
    case 'Float32Array': return { bytes: view(data), typedFloat: true };
    case 'Float64Array': return { bytes: float32Bytes(data as Float64Array), typedFloat: true };
    case 'Uint8Array': case 'Uint8ClampedArray': case 'DataView': return { bytes: view(data) };
    default: throw new AudioFormatError(`payload is a ${tag}, which is not supported; ${ACCEPTED}`);
  }
}

function isSerialisedBuffer(v: unknown): v is { type: 'Buffer'; data: number[] } {
  return !!v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data);
}
