import assert from 'node:assert/strict';
import {
  AudioFormatError, AudioInputStream, encodeWav, type AudioChunk, coerceToBytes, decodeInterleaved, downmixToMono, floatToPcm16,
  parseWavHeader, type RawPcmFormat, sniffCompressed, StreamingResampler,
} from '../src/media/audio';
import { buildWav, concatF32, encodeSamples, lcg, listChunk, sine } from './support/audio-signals';
import { speechBuffer } from './support/fixtures';

const S16_16K: RawPcmFormat = { sampleRate: 16000, channels: 1, bitDepth: 16, float: false };
const TEXT = 'Hello, this is a test of the audio input.';

/** What the stream should produce for a whole WAV: decode, down-mix, resample, PCM16, done by hand. */
function expected(wav: Buffer): Buffer {
  const h = parseWavHeader(wav);
  const data = wav.subarray(h.dataOffset, h.dataLength === undefined ? undefined : h.dataOffset + h.dataLength);
  const mono = downmixToMono(decodeInterleaved(data, h), h.channels);
  const r = new StreamingResampler(h.sampleRate, 16000);
  return floatToPcm16(concatF32([r.process(mono), r.flush()]));
}

/** Splits like core `file in` in chunk mode: odd sizes, msg.parts on every chunk. */
function fileInChunks(file: Buffer, sizes: () => number, id = 'file-1'): AudioChunk[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < file.length;) {
    const n = Math.max(1, sizes());
    pieces.push(file.subarray(at, at + n));
    at += n;
  }
  return pieces.map((data, index) => ({ data, part: { index, count: pieces.length, id } }));
}

function pushAll(s: AudioInputStream, chunks: AudioChunk[]): Buffer {
  return Buffer.concat([...chunks.map((c) => s.push(c)), s.end()]);
}

function mp3Frames(): Buffer {
  // Two MPEG-1 Layer III frame headers (128 kbit/s, 44.1 kHz: 417 bytes each), as a bare MP3 stream starts.
  const frame = Buffer.alloc(417);
  Buffer.from([0xff, 0xfb, 0x90, 0x64]).copy(frame);
  return Buffer.concat([frame, frame, frame]);
}

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof AudioFormatError && pattern.test(e.message));
}

describe('media/audio AudioInputStream', function () {
  this.timeout(60000);

  it('44.1 kHz stereo 16-bit WAV from espeak -> 16 kHz mono of the right duration, same as decode+resample by hand', () => {
    const wav = speechBuffer(TEXT, { rate: 44100, channels: 2 });
    const h = parseWavHeader(wav);
    const inputSeconds = h.dataLength! / 4 / 44100;
    const s = new AudioInputStream(S16_16K);
    const out = s.push({ data: wav });
    assert.deepEqual(s.format, { sampleRate: 44100, channels: 2, bitDepth: 16, float: false });
    const all = Buffer.concat([out, s.end()]);
    assert.ok(Math.abs(all.length / 2 - inputSeconds * 16000) <= 1600, `duration ${all.length / 32000} s vs ${inputSeconds} s`);
    assert.equal(all.length / 2, Math.round((h.dataLength! / 4) * 16000 / 44100));
    assert.ok(all.equals(expected(wav)));
    assert.ok(Math.abs(s.inputSeconds - inputSeconds) < 1e-9);
    assert.equal(s.format, undefined, 'between streams');
  });

  it('48 kHz float WAV gives the same speech as the 16-bit version (within 16-bit quantisation)', () => {
    const f32 = speechBuffer(TEXT, { rate: 48000, encoding: 'floating-point', bits: 32 });
    const i16 = speechBuffer(TEXT, { rate: 48000 });
    const a = new AudioInputStream(S16_16K);
    const outF = Buffer.concat([a.push({ data: f32 }), a.end()]);
    const outI = Buffer.concat([a.push({ data: i16 }), a.end()]);
    assert.equal(outF.length, outI.length);
    assert.ok(outF.length / 32000 > 1.5, 'speech of more than 1.5 s');
    const x = new Int16Array(outF.buffer, outF.byteOffset, outF.length / 2);
    const y = new Int16Array(outI.buffer, outI.byteOffset, outI.length / 2);
    let maxDiff = 0, energy = 0;
    for (let i = 0; i < x.length; i++) { maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i])); energy += x[i] * x[i]; }
    assert.ok(energy / x.length > 1e5, 'the output carries signal');
    assert.ok(maxDiff <= 3, `max difference ${maxDiff} LSB`);
  });

  it('refuses a WAV header with an absurd sample rate (1 Hz) instead of resampling it, and keeps working', () => {
    const s = new AudioInputStream({ sampleRate: 16000, channels: 1, bitDepth: 16, float: false });
    assert.throws(() => s.push({ data: encodeWav(Buffer.alloc(3200), 1) }), (e: Error) =>
      e instanceof AudioFormatError && /WAV sample rate must be a whole number of Hz from 1000 to 768000, got 1/.test(e.message));
    assert.equal(s.push({ data: encodeWav(Buffer.alloc(3200), 16000) }).length, 3200);
  });

  it('raw 16 kHz mono PCM16 passes through byte-exact, whatever the chunking (odd bytes carried)', () => {
    const raw = speechBuffer(TEXT, { rate: 16000, type: 'raw' });
    const s = new AudioInputStream(S16_16K);
    const rand = lcg(7);
    const out: Buffer[] = [];
    for (let at = 0; at < raw.length;) {
      const n = 1 + Math.floor(rand() * 999);
      out.push(s.push({ data: raw.subarray(at, at + n) }));
      at += n;
    }
    out.push(s.end());
    assert.ok(Buffer.concat(out).equals(raw));
  });

  it('a WAV in odd-sized file-in chunks (header only in the first) equals the whole file', () => {
    const wav = speechBuffer(TEXT, { rate: 44100, channels: 2, padEnd: 0.2 });
    const whole = expected(wav);
    const rand = lcg(3);
    for (const sizes of [() => 65536, () => 1001, () => 1 + Math.floor(rand() * 4097), () => 7]) {
      const s = new AudioInputStream(S16_16K);
      const chunks = fileInChunks(wav, sizes);
      const outputs = chunks.map((c) => s.push(c));
      assert.ok(Buffer.concat(outputs).equals(whole), `chunk sizes e.g. ${chunks[0].part!.count} chunks`);
      assert.equal(s.end().length, 0, 'the last part already flushed the tail');
    }
  });

  it('without msg.parts, chunks after a WAV header continue it; a new header starts a new stream with the old tail first', () => {
    const a = speechBuffer('First file.', { rate: 22050 });
    const b = speechBuffer('Second file.', { rate: 48000, channels: 2 });
    const s = new AudioInputStream(S16_16K);
    // Streamed from a pipe: size fields say 0xFFFFFFFF, so the length is unknown until the next header.
    const piped = Buffer.from(a);
    piped.writeUInt32LE(0xffffffff, parseWavHeader(a).dataOffset - 4);
    const out = [s.push({ data: piped.subarray(0, 3001) }), s.push({ data: piped.subarray(3001) }), s.push({ data: b }), s.end()];
    assert.ok(Buffer.concat(out).equals(Buffer.concat([expected(a), expected(b)])));
  });

  it('ignores bytes beyond the data length (trailing LIST chunk), also when they come in later parts', () => {
    const data = encodeSamples(sine(22050, 500, 0.3, 0.5), 16);
    const clean = buildWav({ channels: 1, sampleRate: 22050, bits: 16, data });
    const tagged = buildWav({ channels: 1, sampleRate: 22050, bits: 16, data, after: Buffer.concat([Buffer.from('LIST'), Buffer.from([40, 0, 0, 0]), Buffer.alloc(40, 0x41)]) });
    const want = expected(clean);
    const s = new AudioInputStream(S16_16K);
    assert.ok(Buffer.concat([s.push({ data: tagged }), s.end()]).equals(want));
    const parts = fileInChunks(tagged, () => tagged.length - 20);
    assert.equal(parts.length, 2);
    assert.ok(pushAll(s, parts).equals(want), 'the trailing part is not decoded as audio');
  });

  it('new part id or index 0 starts a new stream; format changes between raw chunks start a new resampler', () => {
    const s = new AudioInputStream(S16_16K);
    const tone = encodeSamples(sine(8000, 300, 0.2, 0.5), 16);
    const first = s.push({ data: tone, format: { sampleRate: 8000 } });
    assert.equal(s.format?.sampleRate, 8000);
    const second = s.push({ data: tone.subarray(0, 3200), format: { sampleRate: 16000 } });
    // The 8 kHz stream was flushed first: its full length is there before the 16 kHz samples.
    assert.equal(first.length / 2 + (second.length - 3200) / 2, 3200);
    assert.deepEqual(s.format, S16_16K);
    const wav = speechBuffer('Parts.', { rate: 22050 });
    const a = fileInChunks(wav, () => 5000, 'a');
    const b = fileInChunks(wav, () => 3000, 'b');
    const out = Buffer.concat([s.push(a[0]), s.push(a[1]), s.push(b[0]), ...b.slice(1).map((c) => s.push(c))]);
    // File a is cut short by file b; its tail comes out when b starts. Both streams are complete and clean.
    const h = parseWavHeader(wav);
    const aFrames = (10000 - h.dataOffset) / 2;
    assert.equal(out.length / 2, Math.round((aFrames * 16000) / 22050) + expected(wav).length / 2);
    assert.ok(out.subarray(out.length - expected(wav).length).equals(expected(wav)));
  });

  it('accepts base64 text and data URLs of a WAV', () => {
    const wav = speechBuffer('Base sixty four.', { rate: 16000 });
    const want = expected(wav);
    const s = new AudioInputStream(S16_16K);
    assert.ok(Buffer.concat([s.push({ data: wav.toString('base64') }), s.end()]).equals(want));
    assert.ok(Buffer.concat([s.push({ data: `data:audio/wav;base64,${wav.toString('base64')}` }), s.end()]).equals(want));
    assert.ok(Buffer.concat([s.push({ data: `data:audio/x-wav;codecs=1;base64,${wav.toString('base64')}` }), s.end()]).equals(want));
    assert.ok(Buffer.concat([s.push({ data: JSON.parse(JSON.stringify(wav)) }), s.end()]).equals(want), 'a JSON-serialised Buffer');
  });

  it('Int16Array and Float32Array carry their own sample format', () => {
    const tone = sine(16000, 440, 0.25, 0.5);
    const s = new AudioInputStream({ sampleRate: 16000, channels: 1, bitDepth: 24, float: false });
    const fromFloat = Buffer.concat([s.push({ data: tone }), s.end()]);
    assert.ok(fromFloat.equals(floatToPcm16(tone)));
    const i16 = new Int16Array(fromFloat.buffer.slice(fromFloat.byteOffset, fromFloat.byteOffset + fromFloat.length));
    const fromInt = Buffer.concat([s.push({ data: i16 }), s.end()]);
    assert.ok(fromInt.equals(fromFloat));
    // Typed 48 kHz stereo: rate and channels still come from the chunk's format.
    const stereo = new Float32Array(48000 * 2 * 0.5);
    const out = Buffer.concat([s.push({ data: stereo, format: { sampleRate: 48000, channels: 2 } }), s.end()]);
    assert.equal(out.length, 8000 * 2);
  });

  it('refuses MP3 with a clear message, and the next good chunk still works', () => {
    const s = new AudioInputStream(S16_16K);
    const good = encodeSamples(sine(16000, 440, 0.1, 0.5), 16);
    const head = s.push({ data: good.subarray(0, 1000) });
    refused(() => s.push({ data: Buffer.concat([Buffer.from('ID3\x04\0\0\0\0\0\x10'), Buffer.alloc(100)]) }), /^MP3 is not supported; send WAV or raw PCM/);
    refused(() => s.push({ data: mp3Frames() }), /^MP3 is not supported/);
    // The refused chunks are not part of the stream: the rest of the raw audio continues it seamlessly.
    const rest = s.push({ data: good.subarray(1000) });
    assert.ok(Buffer.concat([head, rest, s.end()]).equals(good));
    // An MP3 sent by file-in in parts: one error, the other parts dropped quietly, the next file fine.
    const mp3 = Buffer.concat([mp3Frames(), Buffer.alloc(5000, 0x55)]);
    const parts = fileInChunks(mp3, () => 1500, 'song');
    refused(() => s.push(parts[0]), /MP3/);
    for (const p of parts.slice(1)) assert.equal(s.push(p).length, 0);
    const wav = speechBuffer('After the song.', { rate: 16000 });
    assert.ok(pushAll(s, fileInChunks(wav, () => 999, 'next')).equals(expected(wav)));
  });

  it('refuses NaN in float input but keeps the stream aligned for the next chunk', () => {
    const s = new AudioInputStream({ sampleRate: 16000, channels: 1, bitDepth: 32, float: true });
    const good = Buffer.from(new Float32Array([0.5, 0.25, -0.5, 0.125]).buffer);
    const bad = Buffer.from(new Float32Array([0.1, NaN]).buffer);
    const a = s.push({ data: good.subarray(0, 6) });
    // Completes the carried 0.25, then 0.1, NaN, and the first 2 bytes of the next float: the chunk is refused.
    assert.throws(() => s.push({ data: Buffer.concat([good.subarray(6, 8), bad, good.subarray(0, 2)]) }), /NaN/);
    const b = s.push({ data: good.subarray(2) });
    const pcm = Buffer.concat([a, b, s.end()]);
    // 0.5 came before; the refused chunk's samples are skipped, but its last 2 bytes start the next frame.
    assert.deepEqual(Array.from(new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2)), [16384, 16384, 8192, -16384, 4096]);
  });

  it('collects a WAV header split over tiny chunks, and refuses one that never completes', () => {
    const wav = buildWav({ channels: 2, sampleRate: 8000, bits: 16, data: encodeSamples(sine(8000, 200, 0.1, 0.3), 16), before: [listChunk('x'.repeat(200))] });
    const s = new AudioInputStream(S16_16K);
    const out = Buffer.concat([...Array.from({ length: Math.ceil(wav.length / 5) }, (_, i) => s.push({ data: wav.subarray(i * 5, i * 5 + 5) })), s.end()]);
    assert.ok(out.equals(expected(wav)));
    refused(() => s.push({ data: wav.subarray(0, 30), last: true }), /truncated/);
  });

  it('refuses what is not audio, and unusable raw formats, saying what is accepted', () => {
    const s = new AudioInputStream(S16_16K);
    refused(() => s.push({ data: { foo: 1 } }), /payload is an object.*accepted: a Buffer of WAV or raw PCM/);
    refused(() => s.push({ data: 'hello world!' }), /not base64 audio/);
    refused(() => s.push({ data: 42 }), /payload is number/);
    refused(() => s.push({ data: Buffer.alloc(10), format: { channels: 0 } }), /channels must be a whole number from 1/);
    refused(() => s.push({ data: Buffer.alloc(10), format: { bitDepth: 12 as 16 } }), /bit depth must be 8, 16, 24 or 32/);
    assert.throws(() => new AudioInputStream({ ...S16_16K, sampleRate: 0 }), AudioFormatError);
    assert.equal(s.push({ data: Buffer.alloc(4) }).length, 4, 'and it still works');
  });
});

describe('media/audio coerceToBytes', () => {
  it('takes Buffers, typed arrays, ArrayBuffers, JSON Buffers and number arrays', () => {
    const b = Buffer.from([1, 2, 3, 4]);
    assert.equal(coerceToBytes(b).bytes, b);
    assert.deepEqual(coerceToBytes(new Uint8Array([1, 2])).bytes, Buffer.from([1, 2]));
    assert.deepEqual(coerceToBytes(new Uint8Array([9, 1, 2]).buffer).bytes, Buffer.from([9, 1, 2]));
    assert.deepEqual(coerceToBytes({ type: 'Buffer', data: [5, 6] }).bytes, Buffer.from([5, 6]));
    const i16 = coerceToBytes(new Int16Array([1, -1]));
    assert.equal(i16.typedInt16, true);
    assert.deepEqual(i16.bytes, Buffer.from([1, 0, 0xff, 0xff]));
    assert.equal(coerceToBytes(new Float32Array([0.5])).typedFloat, true);
    assert.deepEqual(Array.from(new Float32Array(Uint8Array.from(coerceToBytes([0.5, -0.25]).bytes).buffer)), [0.5, -0.25]);
    assert.equal(coerceToBytes([1000, -2000]).typedInt16, true);
    assert.equal(coerceToBytes(Array.from(buildWav({ channels: 1, sampleRate: 8000, bits: 8, data: Buffer.alloc(2) }))).typedInt16, undefined, 'a JSON byte array of a WAV stays bytes');
    assert.throws(() => coerceToBytes([1, 'a']), /finite numbers/);
    assert.throws(() => coerceToBytes(new Int32Array(2)), /Int32Array, which is not supported/);
    assert.throws(() => coerceToBytes('data:audio/wav,RIFF'), /must be base64-encoded/);
  });

  it('names compressed formats by their magic bytes, and does not mistake quiet PCM for MP3', () => {
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.from('OggS\0\x02' + '\0'.repeat(30), 'latin1'), /^Ogg/],
      [Buffer.from('fLaC\0\0\0\x22' + '\0'.repeat(30), 'latin1'), /^FLAC/],
      [Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0, 0, 0, 0]), /^WebM/],
      [Buffer.from('\0\0\0\x20ftypM4A ' + '\0'.repeat(20), 'latin1'), /^MP4\/M4A/],
      [mp3Frames(), /^MP3/],
    ];
    for (const [bytes, name] of cases) {
      assert.match(sniffCompressed(bytes) ?? '', name);
      assert.throws(() => coerceToBytes(bytes), (e: unknown) => e instanceof AudioFormatError && e.code === 'UNSUPPORTED' && /not supported; send WAV or raw PCM/.test(e.message));
      assert.equal(coerceToBytes(bytes, { sniff: false }).bytes, bytes, 'mid-stream, bytes are just bytes');
    }
    // Quiet 16-bit PCM is full of 0xFFFF (-1) and small values next to it: no false MP3 (one header is not enough).
    const quiet = Buffer.from(new Int16Array([-1, 144, 3, -1, 2, 0, -1, -1025, 25744]).buffer);
    assert.equal(sniffCompressed(quiet), undefined);
    const oneHeader = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(600)]);
    assert.equal(sniffCompressed(oneHeader), undefined);
  });
});
