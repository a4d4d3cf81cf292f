/**
 * The silence gate, the input stream's reports of audio that ended short, and how audio-in reads a
 * message's description of its audio (msg.meta from mic nodes, the sox chunk shape, msg.format).
 */
import assert from 'node:assert/strict';
import {
  AudioFormatError, AudioInputStream, GATE_DEFAULTS, Pcm16Framer, SilenceGate, encodeWav, type RawPcmFormat,
} from '../src/media/audio';
import { readAudioMessage } from '../src/node-red/audio-message';
import { buildWav, encodeSamples, sine } from './support/audio-signals';
import { tone } from './support/sim-audio';
import { speechBuffer } from './support/fixtures';

const SENTENCES = [
  'Good morning everyone. Welcome to the quarterly meeting.',
  'Please remember to switch off your phones.',
  'The next train to the airport leaves from platform four.',
];
const SILENCE = (s: number) => Buffer.alloc(Math.round(s * 16000) * 2);

/** Speech clips (16 kHz PCM16) separated by silences: the recording and where each clip lies in it. */
function recording(gaps: number[]): { pcm: Buffer; clips: Array<{ at: number; bytes: Buffer }> } {
  const parts: Buffer[] = [];
  const clips: Array<{ at: number; bytes: Buffer }> = [];
  let at = 0;
  SENTENCES.forEach((text, i) => {
    parts.push(SILENCE(gaps[i]));
    at += SILENCE(gaps[i]).length;
    const bytes = speechBuffer(text, { rate: 16000, type: 'raw' });
    clips.push({ at, bytes });
    parts.push(bytes);
    at += bytes.length;
  });
  parts.push(SILENCE(gaps[SENTENCES.length] ?? 3));
  return { pcm: Buffer.concat(parts), clips };
}

/** The bytes from the first to the last sample louder than `floor` (the audible part of a clip). */
function audible(pcm: Buffer, floor = 16): Buffer {
  let first = -1;
  let last = -1;
  for (let i = 0; i < pcm.length / 2; i++) {
    if (Math.abs(pcm.readInt16LE(i * 2)) > floor) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return pcm.subarray(first * 2, (last + 1) * 2);
}

function gateAll(gate: SilenceGate, pcm: Buffer, chunkBytes: number): Buffer {
  const framer = new Pcm16Framer(3200);
  const out: Buffer[] = [];
  for (let at = 0; at < pcm.length; at += chunkBytes) {
    for (const f of framer.push(pcm.subarray(at, at + chunkBytes))) out.push(...gate.push(f));
  }
  return Buffer.concat(out);
}

describe('media/audio SilenceGate', function () {
  this.timeout(30000);

  it('sends every utterance whole (first syllable included), with the pre-roll and hang-over, and nothing in long silences', () => {
    const { pcm, clips } = recording([4, 6, 5, 4]);
    const gate = new SilenceGate();
    const sent = gateAll(gate, pcm, 3200);
    assert.equal(gate.opened, SENTENCES.length, 'one opening per utterance');
    // Byte-exact: each clip's audible part is in what was sent, and the pre-roll before it is there too.
    let searchFrom = 0;
    for (const c of clips) {
      const a = audible(c.bytes);
      const at = sent.indexOf(a, searchFrom);
      assert.ok(at >= 0, 'the audible part of every utterance is sent whole');
      assert.ok(at >= (GATE_DEFAULTS.preRollMs / 1000) * 32000 - 2 || searchFrom === 0, 'pre-roll precedes it');
      searchFrom = at + a.length;
    }
    const speech = clips.reduce((s, c) => s + audible(c.bytes).length, 0) / 32000;
    const perUtterance = (GATE_DEFAULTS.preRollMs + GATE_DEFAULTS.hangOverMs) / 1000;
    const sentSeconds = sent.length / 32000;
    assert.ok(sentSeconds >= speech + SENTENCES.length * perUtterance - 0.2, `sent ${sentSeconds} s`);
    assert.ok(sentSeconds <= speech + SENTENCES.length * (perUtterance + 0.4), `sent ${sentSeconds} s for ${speech} s of speech`);
    assert.ok(sentSeconds < pcm.length / 32000 / 2, 'most of the silence is not sent');
    assert.equal(gate.secondsIn, Math.floor(pcm.length / 3200) / 10, 'every whole frame was offered');
    assert.equal(gate.secondsSent, sentSeconds);
  });

  it('decides from the audio alone: any chunking gives the same bytes', () => {
    const { pcm } = recording([1, 2, 1.5, 1]);
    const a = gateAll(new SilenceGate(), pcm, 3200);
    const b = gateAll(new SilenceGate(), pcm, 1234);
    const c = gateAll(new SilenceGate(), pcm, 32000 * 7);
    assert.ok(a.length > 0);
    assert.ok(a.equals(b) && a.equals(c));
  });

  it('keeps pauses shorter than the hang-over inside the speech, so the service hears it as spoken', () => {
    const tone1 = tone(0.5, 440, -20);
    const pcm = Buffer.concat([SILENCE(1), tone1, SILENCE(0.7), tone1, SILENCE(3)]);
    const gate = new SilenceGate({ preRollMs: 200, hangOverMs: 1000 });
    const sent = gateAll(gate, pcm, 3200);
    assert.equal(gate.opened, 1);
    assert.ok(sent.indexOf(Buffer.concat([tone1, SILENCE(0.7), tone1])) >= 0, 'the pause is kept');
    // 0.2 pre-roll + 1.7 speech + 1.0 hang-over, exactly: the pre-roll and hang-over are counted from the tone.
    assert.equal(sent.length, Math.round((0.2 + 1.7 + 1.0) * 16000) * 2);
  });

  it('stays shut for quiet noise, and follows a noisy room instead of staying open forever', () => {
    const quiet = Buffer.from(encodeSamples(sine(16000, 200, 5, 10 ** (-60 / 20)), 16));
    const g1 = new SilenceGate();
    assert.equal(gateAll(g1, quiet, 3200).length, 0, '-60 dBFS hum is not speech');
    // A fan at about -40 dBFS for 60 s: it opens the gate at first, then the floor catches up with it.
    const fan = Buffer.from(encodeSamples(sine(16000, 120, 60, 10 ** (-37 / 20)), 16));
    const g2 = new SilenceGate();
    const sent = gateAll(g2, fan, 3200);
    assert.ok(sent.length / 32000 < 30, `a steady noise is not sent for ever (${sent.length / 32000} s)`);
    // Speech well above that noise still opens it.
    const out = g2.push(tone(0.1, 440, -10));
    assert.equal(out.length > 0, true);
  });

  it('refuses nonsense settings', () => {
    assert.throws(() => new SilenceGate({ hangOverMs: -1 }), RangeError);
    assert.throws(() => new SilenceGate({ thresholdDb: 5 }), RangeError);
    assert.throws(() => new SilenceGate({ preRollMs: Number.NaN }), RangeError);
  });
});

describe('media/audio AudioInputStream: audio that ends short', () => {
  const F: RawPcmFormat = { sampleRate: 16000, channels: 1, bitDepth: 16, float: false };

  it('a truncated WAV still gives the audio it holds, then reports the truncation once', () => {
    const data = encodeSamples(sine(16000, 300, 1, 0.5), 16);
    const wav = buildWav({ channels: 1, sampleRate: 16000, bits: 16, data, dataSize: data.length * 2 });
    const s = new AudioInputStream(F);
    const out = Buffer.concat([s.push({ data: wav, last: true })]);
    assert.equal(out.length, data.length, 'every sample received was delivered');
    const problems = s.takeProblems();
    assert.equal(problems.length, 1);
    assert.ok(problems[0] instanceof AudioFormatError);
    assert.match(problems[0].message, /WAV is truncated: its header promises 64000 bytes \(2\.00 s\).*ended after 32000 bytes \(1\.00 s\)/);
    assert.equal(s.takeProblems().length, 0, 'reported once');
  });

  it('an odd byte count at the end of a recording is reported, naming the frame size', () => {
    const s = new AudioInputStream({ sampleRate: 16000, channels: 2, bitDepth: 16, float: false });
    const out = s.push({ data: Buffer.alloc(4 * 100 + 3), last: true });
    assert.equal(out.length, 200);
    const [p] = s.takeProblems();
    assert.match(p.message, /3 bytes that do not make a whole sample frame \(4 bytes per frame for 16-bit, 2 channels PCM\)/);
  });

  it('odd bytes inside a stream are carried over, not reported', () => {
    const s = new AudioInputStream(F);
    const pcm = encodeSamples(sine(16000, 300, 0.1, 0.5), 16);
    const a = s.push({ data: pcm.subarray(0, 1001) });
    const b = s.push({ data: pcm.subarray(1001), last: true });
    assert.ok(Buffer.concat([a, b]).equals(pcm));
    assert.equal(s.takeProblems().length, 0);
  });
});

describe('node-red readAudioMessage', () => {
  it('reads msg.meta as microphone nodes set it', () => {
    const r = readAudioMessage({ payload: Buffer.alloc(4), meta: { rate: 44100, channels: 2, bitwidth: 16, encoding: 'signed-integer', endian: 'little' } });
    assert.deepEqual(r.format, { sampleRate: 44100, channels: 2, bitDepth: 16, float: false });
    assert.equal(r.ends, false);
  });

  it('reads the sox chunk shape, and properties on the message win over msg.meta', () => {
    const r = readAudioMessage({ payload: Buffer.alloc(4), encoding: 'floating-point', channels: 1, rate: 48000, bits: 32, meta: { rate: 8000, channels: 2 } });
    assert.deepEqual(r.format, { sampleRate: 48000, channels: 1, bitDepth: 32, float: true });
  });

  it('reads msg.format as a name or as an object', () => {
    assert.deepEqual(readAudioMessage({ payload: Buffer.alloc(4), format: 'f32le', sampleRate: 24000 }).format,
      { sampleRate: 24000, bitDepth: 32, float: true });
    assert.deepEqual(readAudioMessage({ payload: Buffer.alloc(4), format: { sampleRate: 22050, channels: 2, bitsPerSample: 24 } }).format,
      { sampleRate: 22050, channels: 2, bitDepth: 24 });
  });

  it('refuses big-endian PCM with a message saying what to change', () => {
    assert.throws(() => readAudioMessage({ payload: Buffer.alloc(4), meta: { rate: 16000, endian: 'big' } }),
      (e: unknown) => e instanceof AudioFormatError && /big-endian PCM is not supported.*little-endian/.test(e.message));
    assert.throws(() => readAudioMessage({ payload: Buffer.alloc(4), format: 's16be' }), AudioFormatError);
  });

  it('the last of msg.parts, msg.complete and core file-in\'s payload-less closing message end a recording', () => {
    assert.equal(readAudioMessage({ payload: Buffer.alloc(4), parts: { index: 1, count: 3, id: 'x' } }).ends, false);
    assert.equal(readAudioMessage({ payload: Buffer.alloc(4), parts: { index: 2, count: 3, id: 'x' } }).ends, true);
    assert.equal(readAudioMessage({ payload: Buffer.alloc(4), complete: true }).ends, true);
    // file in, a file of exactly 64 KiB: chunk 0 has no count; the end comes as {parts: {index: 1, count: 1}}.
    const end = readAudioMessage({ parts: { index: 1, count: 1, id: 'x' } });
    assert.equal(end.ends, true);
    assert.equal(end.data, undefined);
  });

  it('big-endian is fine for a WAV (its header decides), also as base64 text', () => {
    const wav = encodeWav(Buffer.alloc(32), 16000);
    assert.doesNotThrow(() => readAudioMessage({ payload: wav, meta: { endian: 'big' } }));
    assert.doesNotThrow(() => readAudioMessage({ payload: wav.toString('base64'), meta: { endian: 'big' } }));
  });
});
