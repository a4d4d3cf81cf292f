/**
 * Reads what a flow message says about its audio: the format of raw PCM (node settings,
 * overridden by msg.sampleRate/channels/bitDepth/encoding/format), stream parts from the core
 * `file in` node, and whether the message ends a recording.
 */
import type { AudioChunk, RawPcmFormat } from '../media/audio';

export interface AudioMessage {
  payload?: unknown;
  sampleRate?: unknown;
  rate?: unknown;
  channels?: unknown;
  bitDepth?: unknown;
  bits?: unknown;
  encoding?: unknown;
  format?: unknown;
  parts?: { index?: unknown; count?: unknown; id?: unknown };
  complete?: unknown;
  end?: unknown;
}

export interface ReadAudioMessage {
  chunk: AudioChunk;
  /** The message carries a recording (a file or a part of one) rather than live input. */
  recording: boolean;
  /** The message is the last of a recording: flush, pad with silence, maybe finish. */
  ends: boolean;
}

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && isFinite(n) ? n : undefined;
};

/** `s16le`, `f32le`, `s24`, `u8`… as sox, ffmpeg and mic nodes name sample formats. */
function parseFormatName(v: unknown): Partial<RawPcmFormat> {
  if (typeof v !== 'string') return {};
  const m = /^([suf])(8|16|24|32)(le)?$/i.exec(v.trim());
  if (!m) return {};
  return { bitDepth: Number(m[2]) as RawPcmFormat['bitDepth'], float: m[1].toLowerCase() === 'f' };
}

function parseEncoding(v: unknown): boolean | undefined {
  if (typeof v !== 'string') return undefined;
  if (/float/i.test(v)) return true;
  if (/int|signed|pcm/i.test(v)) return false;
  return undefined;
}

export function readAudioMessage(msg: AudioMessage, payloadIsWav: boolean): ReadAudioMessage {
  const format: Partial<RawPcmFormat> = { ...parseFormatName(msg.format) };
  const rate = num(msg.sampleRate) ?? num(msg.rate);
  if (rate !== undefined) format.sampleRate = rate;
  const channels = num(msg.channels);
  if (channels !== undefined) format.channels = channels;
  const depth = num(msg.bitDepth) ?? num(msg.bits);
  if (depth !== undefined) format.bitDepth = depth as RawPcmFormat['bitDepth'];
  const float = parseEncoding(msg.encoding);
  if (float !== undefined) format.float = float;

  let part: AudioChunk['part'];
  const p = msg.parts;
  if (p && typeof p === 'object' && num(p.index) !== undefined) {
    part = { index: num(p.index) as number, count: num(p.count), id: p.id === undefined ? undefined : String(p.id) };
  }
  const lastPart = !!part && part.count !== undefined && part.index >= part.count - 1;
  const ends = msg.complete === true || msg.complete === 'true' || msg.end === true || lastPart || (!part && payloadIsWav);
  return {
    chunk: { data: msg.payload, format, part, last: ends },
    recording: payloadIsWav || !!part,
    ends,
  };
}
