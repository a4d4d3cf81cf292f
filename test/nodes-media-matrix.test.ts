/**
 * Every input form audio-in accepts, through a real Node-RED runtime and a real socket, ends at the
 * simulator as 16 kHz mono PCM16 of the expected duration (±1 frame), matching sample by sample what
 * libsamplerate (SINC_BEST_QUALITY, the test oracle) makes of the same source, and is heard and
 * translated as one utterance.
 */
import assert from 'node:assert/strict';
import { Simulator } from '../src/simulator';
import { decodeInterleaved, downmixToMono, floatToPcm16, parseWavHeader, pcm16ToFloat, type RawPcmFormat } from '../src/media/audio';
import { helper, loadFlow, capture, sessionConfig, waitFor } from './support/red';
import { speechBuffer, type SpeechOptions } from './support/fixtures';
import { buildWav, compare, listChunk, lowPass } from './support/audio-signals';

const LibSampleRate = require('@alexanderolsen/libsamplerate-js') as {
  create(channels: number, inRate: number, outRate: number, o: { converterType: number }): Promise<{ full(x: Float32Array): Float32Array; destroy(): void }>;
  ConverterType: { SRC_SINC_BEST_QUALITY: number };
};

const TEXT = 'The quick brown fox jumps over the lazy dog.';
const SCRIPT = [{ transcript: TEXT, translation: '敏捷な茶色の狐が怠け者の犬を飛び越える。' }];
const END_SILENCE = 1;

interface Form {
  name: string;
  /** audio-in settings beyond the defaults. */
  node?: Record<string, unknown>;
  /** The messages to send, in order. */
  messages(): Array<Record<string, unknown>>;
  /** The source, as mono floats at its own rate (what the oracle resamples). */
  source(): { mono: Float32Array; rate: number };
}

function wavSource(wav: Buffer): { mono: Float32Array; rate: number } {
  const h = parseWavHeader(wav);
  const data = wav.subarray(h.dataOffset, h.dataLength === undefined ? undefined : h.dataOffset + h.dataLength);
  return { mono: downmixToMono(decodeInterleaved(data, h), h.channels), rate: h.sampleRate };
}

function rawSource(raw: Buffer, f: RawPcmFormat): { mono: Float32Array; rate: number } {
  return { mono: downmixToMono(decodeInterleaved(raw, f), f.channels), rate: f.sampleRate };
}

function wav(o: SpeechOptions): Buffer {
  return speechBuffer(TEXT, { padStart: 0.2, padEnd: 0.2, ...o });
}

function raw(o: SpeechOptions): Buffer {
  return speechBuffer(TEXT, { padStart: 0.2, padEnd: 0.2, type: 'raw', ...o });
}

/** Cuts like a microphone or core `file in`: odd sizes, not aligned to sample frames. */
function cut(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < b.length; at += size) out.push(b.subarray(at, at + size));
  return out;
}

function withoutHeaderFacts(w: Buffer, spec: { blockAlign?: number; byteRate?: number; dataSize?: number; extensible?: number; before?: boolean }): Buffer {
  const h = parseWavHeader(w);
  const data = w.subarray(h.dataOffset, h.dataOffset + (h.dataLength ?? w.length - h.dataOffset));
  return buildWav({
    channels: h.channels, sampleRate: h.sampleRate, bits: h.bitDepth, formatTag: h.float ? 3 : 1, data,
    blockAlign: spec.blockAlign, byteRate: spec.byteRate, dataSize: spec.dataSize, extensible: spec.extensible,
    before: spec.before ? [listChunk('espeak-ng via sox'), { id: 'fact', body: Buffer.alloc(4) }] : undefined,
  });
}

const F = (sampleRate: number, channels: number, bitDepth: RawPcmFormat['bitDepth'], float = false): RawPcmFormat => ({ sampleRate, channels, bitDepth, float });

const FORMS: Form[] = [
  { name: 'WAV 44.1 kHz stereo 16-bit', messages: () => [{ payload: wav({ rate: 44100, channels: 2 }) }], source: () => wavSource(wav({ rate: 44100, channels: 2 })) },
  { name: 'WAV 48 kHz 32-bit float', messages: () => [{ payload: wav({ rate: 48000, encoding: 'floating-point', bits: 32 }) }], source: () => wavSource(wav({ rate: 48000, encoding: 'floating-point', bits: 32 })) },
  { name: 'WAV 22.05 kHz 8-bit', messages: () => [{ payload: wav({ rate: 22050, bits: 8 }) }], source: () => wavSource(wav({ rate: 22050, bits: 8 })) },
  { name: 'WAV 96 kHz 24-bit stereo', messages: () => [{ payload: wav({ rate: 96000, bits: 24, channels: 2 }) }], source: () => wavSource(wav({ rate: 96000, bits: 24, channels: 2 })) },
  { name: 'WAV 32 kHz 32-bit integer', messages: () => [{ payload: wav({ rate: 32000, bits: 32 }) }], source: () => wavSource(wav({ rate: 32000, bits: 32 })) },
  {
    name: 'WAVE_FORMAT_EXTENSIBLE float with LIST and fact chunks before data, data size 0xFFFFFFFF (from a pipe)',
    messages: () => [{ payload: withoutHeaderFacts(wav({ rate: 48000, encoding: 'floating-point', bits: 32, channels: 2 }), { extensible: 3, before: true, dataSize: 0xffffffff }) }],
    source: () => wavSource(wav({ rate: 48000, encoding: 'floating-point', bits: 32, channels: 2 })),
  },
  {
    name: 'WAV with the wrong byte rate and block align a browser microphone widget writes, data size 0',
    messages: () => [{ payload: withoutHeaderFacts(wav({ rate: 48000 }), { blockAlign: 4, byteRate: 44100 * 4, dataSize: 0 }) }],
    source: () => wavSource(wav({ rate: 48000 })),
  },
  { name: 'base64 WAV', messages: () => [{ payload: wav({ rate: 24000 }).toString('base64') }], source: () => wavSource(wav({ rate: 24000 })) },
  { name: 'data URL WAV', messages: () => [{ payload: 'data:audio/wav;base64,' + wav({ rate: 11025 }).toString('base64') }], source: () => wavSource(wav({ rate: 11025 })) },
  {
    name: 'core file-in chunks (msg.parts, header only in the first, cut mid-frame)',
    messages: () => {
      const chunks = cut(wav({ rate: 44100, channels: 2 }), 6553);
      return chunks.map((payload, index) => ({ payload, parts: { id: 'f1', index, count: chunks.length, type: 'buffer', ch: '' } }));
    },
    source: () => wavSource(wav({ rate: 44100, channels: 2 })),
  },
  {
    name: 'raw PCM described by the node settings (22.05 kHz mono 16-bit)',
    node: { sampleRate: 22050, channels: 1, bitDepth: 16, encoding: 'int' },
    messages: () => [{ payload: raw({ rate: 22050 }), complete: true }],
    source: () => rawSource(raw({ rate: 22050 }), F(22050, 1, 16)),
  },
  {
    name: 'raw PCM described per message (msg.sampleRate/channels/bitDepth: 48 kHz stereo 32-bit), odd chunks, then "stop"',
    messages: () => [...cut(raw({ rate: 48000, channels: 2, bits: 32 }), 9601).map((payload) => ({ payload, sampleRate: 48000, channels: 2, bitDepth: 32 })), { payload: 'stop' }],
    source: () => rawSource(raw({ rate: 48000, channels: 2, bits: 32 }), F(48000, 2, 32)),
  },
  {
    name: 'microphone chunks with msg.meta {rate, channels, bitwidth, encoding}',
    messages: () => [...cut(raw({ rate: 44100, channels: 2 }), 4411).map((payload) => ({ payload, meta: { rate: 44100, channels: 2, bitwidth: 16, encoding: 'signed-integer', endian: 'little' } })), { payload: 'stop' }],
    source: () => rawSource(raw({ rate: 44100, channels: 2 }), F(44100, 2, 16)),
  },
  {
    name: 'sox chunk shape {payload, encoding, channels, rate, bits} at 16 kHz (sent byte for byte)',
    messages: () => {
      const chunks = cut(raw({ rate: 16000 }), 3000);
      return chunks.map((payload, i) => ({ payload, encoding: 'signed-integer', channels: 1, rate: 16000, bits: 16, complete: i === chunks.length - 1 }));
    },
    source: () => rawSource(raw({ rate: 16000 }), F(16000, 1, 16)),
  },
  {
    name: 'msg.format "f32le" with msg.sampleRate 24000',
    messages: () => [{ payload: raw({ rate: 24000, encoding: 'floating-point', bits: 32 }), format: 'f32le', sampleRate: 24000, complete: true }],
    source: () => rawSource(raw({ rate: 24000, encoding: 'floating-point', bits: 32 }), F(24000, 1, 32, true)),
  },
  {
    name: 'Int16Array at 16 kHz (sent sample for sample)',
    messages: () => {
      const b = raw({ rate: 16000 });
      return [{ payload: new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)), sampleRate: 16000, complete: true }];
    },
    source: () => rawSource(raw({ rate: 16000 }), F(16000, 1, 16)),
  },
  {
    name: 'Float32Array at 48 kHz, in 20 ms pieces',
    messages: () => {
      const { mono } = wavSource(wav({ rate: 48000 }));
      const pieces: Array<Record<string, unknown>> = [];
      for (let at = 0; at < mono.length; at += 960) pieces.push({ payload: mono.slice(at, at + 960), sampleRate: 48000 });
      pieces[pieces.length - 1].complete = true;
      return pieces;
    },
    source: () => wavSource(wav({ rate: 48000 })),
  },
];

async function oracle(mono: Float32Array, rate: number): Promise<Float32Array> {
  if (rate === 16000) return mono;
  const src = await LibSampleRate.create(1, rate, 16000, { converterType: LibSampleRate.ConverterType.SRC_SINC_BEST_QUALITY });
  try {
    return src.full(mono);
  } finally {
    src.destroy();
  }
}

describe('audio-in input matrix in Node-RED → simulator, against the libsamplerate oracle', function () {
  this.timeout(60000);
  let sim: Simulator;

  before(async function () {
    sim = new Simulator({ script: SCRIPT, realtime: false });
    await sim.start();
  });

  after(async function () {
    await sim.stop();
  });

  afterEach(async function () {
    await helper.unload();
  });

  for (const form of FORMS) {
    it(form.name, async function () {
      const before = sim.sessions.length;
      await loadFlow([
        sessionConfig({ url: sim.url, targetLanguage: 'ja', transcription: false }),
        { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', gate: 'off', endSilence: END_SILENCE, ...form.node, wires: [] },
        { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', partials: false, audioFormat: 'wav', wires: [[], [], [], []] },
      ], { sess1: { apiKey: 'sk-test-123456' } });
      const got = capture(helper.getNode('out1'));
      await waitFor(() => sim.sessions.length > before && sim.sessions[sim.sessions.length - 1].config.translation?.language === 'ja', 5000, 'session');
      const rec = sim.sessions[sim.sessions.length - 1];
      const errors: unknown[] = [];
      const input = helper.getNode('in1');
      input.on('call:error', (call: { args: unknown[] }) => errors.push(call.args[0]));
      for (const m of form.messages()) input.receive(m);

      const { mono, rate } = form.source();
      const speechSamples = Math.round((mono.length * 16000) / rate);
      const expectedBytes = Math.ceil(speechSamples / 1600) * 3200 + END_SILENCE * 32000;
      await waitFor(() => rec.audioBytesReceived >= expectedBytes - 3200, 10000, `${expectedBytes} bytes at the simulator`);
      const final = await waitFor(() => got.find((c) => c.port === 0 && c.msg.partial === false), 10000, 'the translation');
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(errors, [], 'no errors');

      // Duration: the speech plus the end silence, in whole 100 ms frames (±1 frame).
      assert.ok(Math.abs(rec.audioBytesReceived - expectedBytes) <= 3200, `received ${rec.audioBytesReceived} bytes, expected ${expectedBytes} ± 3200`);
      assert.equal(rec.audioBytesReceived % 2, 0);
      // Content: heard as one utterance and translated.
      assert.equal(rec.utterances.length, 1, 'one utterance heard');
      assert.equal(final.msg.payload, SCRIPT[0].translation);

      // Sample by sample against the oracle.
      const received = pcm16ToFloat(rec.receivedAudio());
      const ref = await oracle(mono, rate);
      const n = Math.min(speechSamples, ref.length) - 200;
      if (rate === 16000) {
        assert.ok(rec.receivedAudio().subarray(0, speechSamples * 2).equals(floatToPcm16(mono)), '16 kHz input arrives byte for byte');
        return;
      }
      const full = compare(ref, received, 200, n);
      const cutoff = 0.85 * (Math.min(rate, 16000) / 2);
      const band = compare(lowPass(ref.subarray(0, n + 200), 16000, cutoff), lowPass(received.subarray(0, n + 200), 16000, cutoff), 600, n - 400);
      assert.ok(band.snr > 55, `in-band SNR against the oracle ${band.snr.toFixed(1)} dB`);
      assert.ok(full.snr > 30, `full-band SNR against the oracle ${full.snr.toFixed(1)} dB`);
      // The received bytes are exactly PCM16 of what a one-shot resampling gives: no chunk-edge artefacts.
      assert.ok(band.maxDiff < 0.01, `largest in-band difference ${band.maxDiff}`);
    });
  }
});
