/**
 * Reads what a flow message says about its audio: the format of raw PCM (node settings, overridden by
 * msg.sampleRate/channels/bitDepth/encoding/format, by `msg.meta` as microphone nodes set it, and by the
 * sox-utils chunk shape `{payload, encoding, channels, rate, bits}`), stream parts from the core `file in`
 * node, and whether the message ends a recording.
 */
import { AudioFormatError, isWav, type RawPcmFormat, type UplinkChunk } from '../media/audio';

export interface AudioMessage {
  payload?: unknown;
  sampleRate?: unknown;
  rate?: unknown;
  channels?: unknown;
  bitDepth?: unknown;
  bits?: unknown;
  bitwidth?: unknown;
  encoding?: unknown;
  endian?: unknown;
  format?: unknown;
  meta?: unknown;
  parts?: { index?: unknown; count?: unknown; id?: unknown };
  complete?: unknown;
  end?: unknown;
}

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && isFinite(n) ? n : undefined;
};

/** `s16le`, `f32le`, `s24`, `u8`… as sox, ffmpeg and mic nodes name sample formats. */
function parseFormatName(v: string): Partial<RawPcmFormat> & { bigEndian?: boolean } {
  const m = /^([suf])(8|16|24|32)(le|be)?$/i.exec(v.trim());
  if (!m) return {};
  return {
    bitDepth: Number(m[2]) as RawPcmFormat['bitDepth'],
    float: m[1].toLowerCase() === 'f',
    bigEndian: (m[3] || '').toLowerCase() === 'be' ? true : undefined,
  };
}

function parseEncoding(v: unknown): boolean | undefined {
  if (typeof v !== 'string') return undefined;
  if (/float/i.test(v)) return true;
  if (/int|signed|pcm/i.test(v)) return false;
  return undefined;
}

type Described = Partial<RawPcmFormat> & { bigEndian?: boolean };

/**
 * One place that describes a format: the message itself, `msg.meta`, or an object in `msg.format`. The
 * names are the ones flows use: sampleRate/rate/sample_rate, channels, bitDepth/bits/bitwidth, encoding
 * ("signed-integer", "floating-point", "float", "int"), endian ("little"/"big").
 */
function describedBy(o: Record<string, unknown>): Described {
  const f: Described = {};
  const rate = num(o.sampleRate) ?? num(o.rate) ?? num(o.sample_rate) ?? num(o.samplerate);
  if (rate !== undefined) f.sampleRate = rate;
  const channels = num(o.channels);
  if (channels !== undefined) f.channels = channels;
  const depth = num(o.bitDepth) ?? num(o.bits) ?? num(o.bitwidth) ?? num(o.bitsPerSample);
  if (depth !== undefined) f.bitDepth = depth as RawPcmFormat['bitDepth'];
  const float = parseEncoding(o.encoding);
  if (float !== undefined) f.float = float;
  if (typeof o.endian === 'string' && /^b/i.test(o.endian.trim())) f.bigEndian = true;
  return f;
}

/** Later sources win over earlier ones, field by field. */
function merge(...sources: Described[]): Described {
  const out: Described = {};
  for (const s of sources) {
    for (const [k, v] of Object.entries(s)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** Base64 of "RIFF" / "RF64" (what a WAV's text starts with), or a WAV data URL. */
const WAV_TEXT = /^(data:audio\/(x-)?wav[^,]*,)?(UklGR|UkY2N)/;

function looksLikeWav(payload: unknown): boolean {
  if (typeof payload === 'string') return WAV_TEXT.test(payload.trimStart());
  return !!payload && ArrayBuffer.isView(payload) && isWav(new Uint8Array(payload.buffer, payload.byteOffset, Math.min(12, payload.byteLength)));
}

/**
 * The chunk a message carries for the uplink. `ends` is what the message itself says (msg.complete,
 * msg.end, the last of msg.parts, a WAV data URL, also the payload-less message core `file in` ends a file with);
 * whether a WAV ends with its message is the uplink's to decide from the header.
 */
export function readAudioMessage(msg: AudioMessage): UplinkChunk {
  const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);
  const fromFormat: Described = typeof msg.format === 'string' ? parseFormatName(msg.format) : isObject(msg.format) ? describedBy(msg.format) : {};
  const fromMeta: Described = isObject(msg.meta) ? describedBy(msg.meta) : {};
  const own = describedBy(msg as Record<string, unknown>);
  const described = merge(fromMeta, fromFormat, own);
  if (described.bigEndian && !looksLikeWav(msg.payload)) {
    throw new AudioFormatError('big-endian PCM is not supported; accepted: little-endian PCM (set the microphone or sox to little endian, e.g. -L)', 'UNSUPPORTED');
  }
  const { bigEndian: _be, ...format } = described;

  let part: UplinkChunk['part'];
  const p = msg.parts;
  if (p && typeof p === 'object' && num(p.index) !== undefined) {
    part = { index: num(p.index) as number, count: num(p.count), id: p.id === undefined ? undefined : String(p.id) };
  }
  const lastPart = !!part && part.count !== undefined && part.index >= part.count - 1;
  // A WAV in a data URL is a whole file: nothing can follow it, even when its header gives no length.
  const wavDataUrl = typeof msg.payload === 'string' && msg.payload.trimStart().startsWith('data:') && looksLikeWav(msg.payload);
  const ends = msg.complete === true || msg.complete === 'true' || msg.end === true || lastPart || wavDataUrl;
  return { data: msg.payload, format, part, ends };
}
