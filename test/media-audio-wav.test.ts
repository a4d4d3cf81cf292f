import assert from 'node:assert/strict';
import { WaveFile } from 'wavefile';
import {
  AudioFormatError, decodeInterleaved, decodeToMono, downmixToMono, encodeWav, floatToPcm16, isWav, parseWavHeader, pcm16ToFloat,
  Pcm16Framer, type WavFormat,
} from '../src/media/audio';
import { buildWav, encodeSamples, listChunk, sine } from './support/audio-signals';
import { speechBuffer } from './support/fixtures';

/** What wavefile decodes, scaled to [-1, 1] the way our decoder scales. */
function wavefileSamples(wav: Buffer): { format: WavFormat; samples: Float64Array } {
  const w = new WaveFile(wav);
  const fmt = w.fmt as { numChannels: number; sampleRate: number; bitsPerSample: number; audioFormat: number };
  const raw = w.getSamples(true, Float64Array);
  const bits = fmt.bitsPerSample as WavFormat['bitDepth'];
  const float = fmt.audioFormat === 3;
  const scale = (v: number) => (float ? v : bits === 8 ? (v - 128) / 128 : v / 2 ** (bits - 1));
  return { format: { sampleRate: fmt.sampleRate, channels: fmt.numChannels, bitDepth: bits, float }, samples: raw.map(scale) };
}

function ours(wav: Buffer): { format: WavFormat; samples: Float32Array } {
  const h = parseWavHeader(wav);
  const data = wav.subarray(h.dataOffset, h.dataLength === undefined ? undefined : h.dataOffset + h.dataLength);
  const format = { sampleRate: h.sampleRate, channels: h.channels, bitDepth: h.bitDepth, float: h.float };
  return { format, samples: decodeInterleaved(data, format) };
}

function rejects(fn: () => unknown, pattern: RegExp, code?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AudioFormatError, `expected AudioFormatError, got ${String(e)}`);
    assert.match(e.message, pattern);
    if (code) assert.equal(e.code, code);
    return true;
  });
}

describe('media/audio WAV reader', () => {
  const tone = sine(16000, 440, 0.05, 0.7);
  const stereo = new Float32Array(tone.length * 2);
  tone.forEach((v, i) => { stereo[2 * i] = v; stereo[2 * i + 1] = -v / 2; });

  for (const bits of [8, 16, 24, 32] as const) {
    it(`decodes ${bits}-bit PCM stereo exactly as wavefile does`, () => {
      const wav = buildWav({ channels: 2, sampleRate: 16000, bits, data: encodeSamples(stereo, bits) });
      const ref = wavefileSamples(wav);
      const got = ours(wav);
      assert.deepEqual(got.format, ref.format);
      assert.equal(got.samples.length, ref.samples.length);
      for (let i = 0; i < ref.samples.length; i++) assert.equal(got.samples[i], Math.fround(ref.samples[i]), `sample ${i}`);
    });
  }

  it('decodes 32-bit float (format tag 3) as wavefile does, from espeak speech', () => {
    const wav = speechBuffer('Testing float audio.', { rate: 48000, encoding: 'floating-point', bits: 32 });
    const ref = wavefileSamples(wav);
    const got = ours(wav);
    assert.deepEqual(got.format, { sampleRate: 48000, channels: 1, bitDepth: 32, float: true });
    assert.ok(got.samples.length > 48000, 'about a second of speech');
    for (let i = 0; i < ref.samples.length; i++) assert.equal(got.samples[i], Math.fround(ref.samples[i]));
  });

  it('decodes a 44.1 kHz stereo 16-bit espeak WAV as wavefile does', () => {
    const wav = speechBuffer('Testing stereo audio.', { rate: 44100, channels: 2 });
    const ref = wavefileSamples(wav);
    const got = ours(wav);
    assert.deepEqual(got.format, { sampleRate: 44100, channels: 2, bitDepth: 16, float: false });
    assert.deepEqual(Array.from(got.samples), Array.from(ref.samples, (v) => Math.fround(v)));
  });

  it('reads WAVE_FORMAT_EXTENSIBLE float and PCM by their sub-format', () => {
    const f = buildWav({ channels: 2, sampleRate: 48000, bits: 32, extensible: 3, data: encodeSamples(stereo, 32, true) });
    const h = parseWavHeader(f);
    assert.equal(h.float, true);
    assert.equal(h.dataOffset, 12 + 8 + 40 + 8);
    assert.deepEqual(Array.from(ours(f).samples), Array.from(stereo));
    const p = buildWav({ channels: 2, sampleRate: 48000, bits: 24, extensible: 1, data: encodeSamples(stereo, 24) });
    assert.deepEqual({ ...parseWavHeader(p), dataOffset: 0 }, { sampleRate: 48000, channels: 2, bitDepth: 24, float: false, dataOffset: 0, dataLength: stereo.length * 3, fileLength: p.length });
  });

  it('skips LIST and fact chunks (odd-sized, padded) before data', () => {
    const data = encodeSamples(tone, 16);
    const wav = buildWav({ channels: 1, sampleRate: 16000, bits: 16, data, before: [listChunk('Lavf58'), { id: 'fact', body: Buffer.alloc(5, 7) }] });
    const h = parseWavHeader(wav);
    assert.equal(h.dataLength, data.length);
    assert.deepEqual(wav.subarray(h.dataOffset, h.dataOffset + data.length), data);
    assert.deepEqual(Array.from(ours(wav).samples), Array.from(wavefileSamples(wav).samples, (v) => Math.fround(v)));
  });

  it('treats data size 0 and 0xFFFFFFFF as "until the end"', () => {
    for (const dataSize of [0, 0xffffffff]) {
      const wav = buildWav({ channels: 1, sampleRate: 16000, bits: 16, data: encodeSamples(tone, 16), dataSize });
      const h = parseWavHeader(wav);
      assert.equal(h.dataLength, undefined);
      assert.equal(ours(wav).samples.length, tone.length);
    }
  });

  it('ignores wrong block-align and byte-rate (as browser microphone widgets write them)', () => {
    const wav = buildWav({ channels: 1, sampleRate: 16000, bits: 16, blockAlign: 4, byteRate: 44100 * 4, data: encodeSamples(tone, 16) });
    const h = parseWavHeader(wav);
    assert.equal(h.sampleRate, 16000, 'sampleRate wins over byteRate');
    assert.equal(ours(wav).samples.length, tone.length, 'frames follow bits x channels, not blockAlign');
  });

  it('reads RF64 with the size in ds64', () => {
    const data = encodeSamples(tone, 16);
    const ds64 = Buffer.alloc(28);
    ds64.writeUInt32LE(data.length, 8);
    const wav = buildWav({ channels: 1, sampleRate: 16000, bits: 16, data, dataSize: 0xffffffff, before: [] });
    // RF64 puts ds64 first: rebuild the chunk list with it.
    const rf = Buffer.concat([Buffer.from('RF64'), Buffer.alloc(4, 0xff), Buffer.from('WAVE'), Buffer.from('ds64'), Buffer.from([28, 0, 0, 0]), ds64, wav.subarray(12)]);
    assert.ok(isWav(rf));
    assert.equal(parseWavHeader(rf).dataLength, data.length);
  });

  it('refuses truncated headers, 0 channels, compressed and exotic formats with a clear message', () => {
    const good = buildWav({ channels: 1, sampleRate: 16000, bits: 16, data: encodeSamples(tone, 16) });
    rejects(() => parseWavHeader(good.subarray(0, 30)), /truncated/, 'TRUNCATED');
    rejects(() => parseWavHeader(good.subarray(0, 40)), /truncated.*no data chunk/, 'TRUNCATED');
    rejects(() => parseWavHeader(good.subarray(0, 8)), /truncated/, 'TRUNCATED');
    rejects(() => parseWavHeader(buildWav({ channels: 0, sampleRate: 16000, bits: 16, data: Buffer.alloc(4) })), /0 channels/, 'INVALID');
    rejects(() => parseWavHeader(buildWav({ formatTag: 0x55, channels: 2, sampleRate: 44100, bits: 0, data: Buffer.alloc(4) })),
      /MP3 \(format tag 85\).*not supported.*accepted: PCM/, 'UNSUPPORTED');
    rejects(() => parseWavHeader(buildWav({ formatTag: 6, channels: 1, sampleRate: 8000, bits: 8, data: Buffer.alloc(4) })), /A-law/, 'UNSUPPORTED');
    rejects(() => parseWavHeader(buildWav({ channels: 1, sampleRate: 16000, bits: 12, data: Buffer.alloc(4) })), /12 bits per sample.*8\/16\/24\/32/);
    rejects(() => parseWavHeader(buildWav({ formatTag: 3, channels: 1, sampleRate: 16000, bits: 64, data: Buffer.alloc(8) })), /64-bit float/);
    rejects(() => parseWavHeader(Buffer.from('OggS-not-a-wav-file-at-all')), /not a WAV file/);
    assert.equal(isWav(Buffer.from('RIFF\0\0\0\0AVI LIST')), false);
  });

  it('encodeWav writes a 44-byte header that wavefile and we read back', () => {
    const pcm = floatToPcm16(sine(24000, 300, 0.1, 0.5));
    const wav = encodeWav(pcm, 24000);
    assert.equal(wav.length, 44 + pcm.length);
    const ref = new WaveFile(wav);
    assert.equal((ref.fmt as { sampleRate: number }).sampleRate, 24000);
    assert.deepEqual(parseWavHeader(wav), { sampleRate: 24000, channels: 1, bitDepth: 16, float: false, dataOffset: 44, dataLength: pcm.length, fileLength: wav.length });
    assert.deepEqual(wav.subarray(44), pcm);
    assert.equal(encodeWav(Buffer.alloc(7), 16000, 2).length, 44 + 4, 'partial frames are dropped');
  });
});

describe('media/audio PCM conversions', () => {
  it('decodes only whole frames, from unaligned Buffers too', () => {
    const bytes = Buffer.concat([Buffer.alloc(1), encodeSamples([0.5, -0.25, 0.125], 16), Buffer.alloc(1)]).subarray(1);
    const got = decodeInterleaved(bytes, { sampleRate: 8000, channels: 2, bitDepth: 16, float: false });
    assert.equal(bytes.byteOffset % 2, 1, 'the Buffer really is unaligned');
    assert.deepEqual(Array.from(got), [0.5, -0.25], '7 bytes hold one whole 4-byte stereo frame');
    const mono = decodeInterleaved(bytes, { sampleRate: 8000, channels: 1, bitDepth: 16, float: false });
    assert.deepEqual(Array.from(mono), [0.5, -0.25, 0.125]);
  });

  it('decodeToMono (the fused hot path) equals decode then down-mix, to the bit', () => {
    const x = sine(48000, 997, 0.1, 0.99).map((v, i) => v * Math.cos(i * 0.003));
    for (const f of [{ channels: 2, bitDepth: 16 }, { channels: 1, bitDepth: 16 }, { channels: 2, bitDepth: 24 }, { channels: 3, bitDepth: 32, float: true }] as const) {
      const format = { sampleRate: 48000, float: false, ...f };
      const bytes = Buffer.concat([Buffer.alloc(1), encodeSamples(x, format.bitDepth, format.float)]).subarray(1);
      for (const b of [bytes, Buffer.from(bytes)]) {
        const fused = decodeToMono(b, format);
        const twoStep = downmixToMono(decodeInterleaved(b, format), format.channels);
        assert.equal(fused.length, Math.floor(x.length / format.channels));
        assert.ok(Buffer.from(fused.buffer).equals(Buffer.from(twoStep.buffer)), JSON.stringify(f));
      }
    }
  });

  it('refuses NaN and Infinity in float input, naming them', () => {
    const f = { sampleRate: 16000, channels: 1, bitDepth: 32 as const, float: true };
    assert.throws(() => decodeInterleaved(Buffer.from(new Float32Array([0, NaN]).buffer), f), /NaN at sample 1/);
    assert.throws(() => decodeInterleaved(Buffer.from(new Float32Array([-Infinity]).buffer), f), /-Infinity/);
    assert.deepEqual(Array.from(decodeInterleaved(Buffer.from(new Float32Array([1.5, -2]).buffer), f)), [1, -1], 'clipped');
  });

  it('down-mixes by averaging and round-trips PCM16 exactly', () => {
    assert.deepEqual(Array.from(downmixToMono(new Float32Array([1, 0, 0.5, 0.5, -1, 1]), 2)), [0.5, 0.5, 0]);
    assert.deepEqual(Array.from(downmixToMono(new Float32Array([0.25, 0.5, 0.75]), 3)), [0.5]);
    const pcm = Buffer.from(new Int16Array([-32768, -1, 0, 1, 12345, 32767]).buffer);
    assert.deepEqual(floatToPcm16(pcm16ToFloat(pcm)), pcm);
    const clipped = floatToPcm16(new Float32Array([2, -2, NaN, 0.5, -0.5, 1 / 65536]));
    assert.deepEqual(Array.from({ length: 6 }, (_, i) => clipped.readInt16LE(i * 2)), [32767, -32768, 0, 16384, -16384, 1]);
  });
});

describe('media/audio Pcm16Framer', () => {
  it('cuts any chunking into equal frames and pads the remainder', () => {
    const framer = new Pcm16Framer(3200);
    const input = Buffer.from(Array.from({ length: 10000 }, (_, i) => i % 251));
    const frames = [...framer.push(input.subarray(0, 1)), ...framer.push(input.subarray(1, 5000)), ...framer.push(input.subarray(5000))];
    assert.equal(frames.length, 3);
    assert.equal(framer.pendingBytes, 400);
    assert.deepEqual(Buffer.concat(frames), input.subarray(0, 9600));
    const last = framer.flush();
    assert.ok(last);
    assert.deepEqual(last, Buffer.concat([input.subarray(9600), Buffer.alloc(2800)]));
    assert.equal(framer.flush(), null);
    assert.throws(() => new Pcm16Framer(3), RangeError);
  });
});
