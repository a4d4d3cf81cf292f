/**
 * AudioUplink on a fake clock (sinon): what goes in as messages comes out as 100 ms frames at the pace,
 * with the gate, end silence, the bounded pacing queue, and the end-of-stream rules of the neighbours'
 * messages (core file-in's closing message, WAVs streamed from a pipe, stray odd-sized buffers).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import sinon from 'sinon';
import { AudioFormatError, AudioUplink, encodeWav, type UplinkSettings } from '../src/media/audio';
import { speechBuffer } from './support/fixtures';
import { tone } from './support/sim-audio';

const F16 = { sampleRate: 16000, channels: 1, bitDepth: 16 as const, float: false };

interface Rig { uplink: AudioUplink; frames: Buffer[]; warnings: string[]; finished: number }

const open: AudioUplink[] = [];

function rig(settings: Partial<UplinkSettings> = {}): Rig {
  const r: Rig = { uplink: undefined as unknown as AudioUplink, frames: [], warnings: [], finished: 0 };
  r.uplink = new AudioUplink({ defaults: F16, ...settings }, {
    send: (f) => r.frames.push(f),
    finish: () => { r.finished++; },
    warn: (m) => r.warnings.push(m),
  });
  open.push(r.uplink);
  return r;
}

const seconds = (frames: Buffer[]) => frames.reduce((n, f) => n + f.length, 0) / 32000;

describe('media/audio AudioUplink (fake clock)', function () {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => { clock = sinon.useFakeTimers({ now: 1_000_000 }); });
  afterEach(() => {
    // Pacers share one process-wide timer: leave none scheduled on the fake clock.
    for (const u of open.splice(0)) u.close();
    clock.restore();
  });

  it('paces a recording to real time and ends it with the end silence', function () {
    const r = rig({ endSilenceSeconds: 1 });
    const wav = encodeWav(tone(3), 16000);
    assert.equal(r.uplink.push({ data: wav }), undefined);
    assert.equal(r.frames.length, 1, 'the first frame goes at once, the rest at the pace of the audio');
    clock.tick(1000);
    assert.ok(r.frames.length >= 10 && r.frames.length <= 12, `${r.frames.length} frames after 1 s`);
    clock.tick(5000);
    assert.equal(r.frames.length, 40, '3 s of audio and 1 s of end silence');
    assert.ok(r.frames.slice(30).every((f) => f.every((b) => b === 0)), 'the last second is silence');
  });

  it('bounds the pacing queue in seconds: what does not fit is dropped, counted, and warned about once a second', function () {
    const r = rig({ maxQueueSeconds: 10, endSilenceSeconds: 1 });
    r.uplink.push({ data: encodeWav(tone(30), 16000) });
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0], /^20\.0 s of audio not sent: .*holds 10 s \(20\.0 s dropped in all/);
    assert.equal(r.uplink.droppedSeconds, 20);
    // More in the same second: counted, and said once when the second is over.
    r.uplink.push({ data: encodeWav(tone(5), 16000) });
    r.uplink.push({ data: encodeWav(tone(5), 16000) });
    assert.equal(r.warnings.length, 1);
    clock.tick(1000);
    assert.equal(r.warnings.length, 2);
    assert.match(r.warnings[1], /^10\.0 s of audio not sent: .*30\.0 s dropped in all/);
    clock.tick(60000);
    // 10 s of the first file plus each file's end silence (kept whatever the bound: the utterance must close).
    const sent = seconds(r.frames);
    assert.ok(sent >= 12.9 && sent <= 13.1, `sent ${sent} s`);
    assert.equal(r.warnings.length, 2);
  });

  it('core file-in: a file of exactly 64 KiB is ended by the closing message that has no payload', function () {
    const r = rig({ endSilenceSeconds: 1, pacing: 'fast' });
    const pcm = tone(65536 / 32000 - 44 / 32000 + 0.0000001).subarray(0, 65536 - 44);
    const file = encodeWav(pcm, 16000);
    assert.equal(file.length, 65536);
    r.uplink.push({ data: file, part: { index: 0, id: 'f' } });
    const before = seconds(r.frames);
    assert.ok(before < 2.05, 'nothing ends before the closing message');
    assert.equal(r.uplink.push({ data: undefined, part: { index: 1, count: 1, id: 'f' }, ends: true }), undefined);
    assert.ok(Math.abs(seconds(r.frames) - (pcm.length / 32000 + 1)) <= 0.1, `${seconds(r.frames)} s: the audio and the end silence`);
  });

  it('a WAV streamed from sox (placeholder sizes) continues over chunks without msg.parts, at its own rate', function () {
    // What `rec -t wav -` or any sox reading a stream writes: the length is unknown when the header goes out.
    const raw = speechBuffer('Streaming from a pipe keeps its rate.', { rate: 44100, channels: 2, type: 'raw' });
    const piped = execFileSync('sox', ['-t', 'raw', '-r', '44100', '-e', 'signed-integer', '-b', '16', '-c', '2', '-L', '-', '-t', 'wav', '-'],
      { input: raw, stdio: ['pipe', 'pipe', 'ignore'] });
    const data = piped.indexOf('data');
    assert.ok(piped.readUInt32LE(data + 4) >= 0x7ffff000, 'sox writes a placeholder data size to a pipe');
    const r = rig({ pacing: 'fast', gate: 'off', endSilenceSeconds: 0 });
    for (let at = 0; at < piped.length; at += 4096) assert.equal(r.uplink.push({ data: piped.subarray(at, at + 4096) }), undefined);
    r.uplink.push({ data: undefined, ends: true });
    const expected = (piped.length - data - 8) / 4 / 44100;
    assert.ok(Math.abs(seconds(r.frames) - expected) <= 0.1, `${seconds(r.frames)} s sent for ${expected} s of speech`);
    assert.deepEqual(r.warnings, []);
  });

  it('a WAV with no length that nothing ends is ended after 2 s without chunks', function () {
    const wav = encodeWav(tone(1), 16000);
    wav.writeUInt32LE(0xffffffff, 4);
    wav.writeUInt32LE(0xffffffff, 40);
    const r = rig({ pacing: 'fast', endSilenceSeconds: 1 });
    r.uplink.push({ data: wav.subarray(0, 20000) });
    r.uplink.push({ data: wav.subarray(20000) });
    assert.ok(seconds(r.frames) < 1.01);
    clock.tick(1999);
    assert.ok(seconds(r.frames) < 1.01);
    clock.tick(1);
    assert.ok(Math.abs(seconds(r.frames) - 2) < 0.11, `${seconds(r.frames)} s: audio plus end silence`);
  });

  it('a whole WAV with size 0 in one message (browser widget) ends with the message', function () {
    const wav = encodeWav(tone(1), 16000);
    wav.writeUInt32LE(0, 40);
    const r = rig({ pacing: 'fast', endSilenceSeconds: 1 });
    r.uplink.push({ data: wav });
    assert.ok(Math.abs(seconds(r.frames) - 2) < 0.11);
  });

  it('odd-length PCM16 chunks stay aligned (byte-exact) and are warned about once', function () {
    const pcm = tone(1, 440, -12);
    const r = rig({ pacing: 'fast', gate: 'off', endSilenceSeconds: 0 });
    for (let at = 0; at < pcm.length; at += 1001) r.uplink.push({ data: pcm.subarray(at, at + 1001) });
    r.uplink.end();
    assert.ok(Buffer.concat(r.frames).subarray(0, pcm.length).equals(pcm), 'every sample as sent, none shifted by a byte');
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0], /chunk of 1001 bytes is not whole sample frames .*kept to go with the next chunk/);
  });

  it('a stray 3-byte buffer is warned about on itself, and the next good WAV is not blamed for it', function () {
    const r = rig({ pacing: 'fast' });
    assert.equal(r.uplink.push({ data: Buffer.from([1, 2, 3]) }), undefined);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0], /3 bytes is not whole sample frames/);
    const problem = r.uplink.push({ data: speechBuffer('A good file.', { rate: 16000 }) });
    assert.equal(problem, undefined);
    assert.equal(r.warnings.length, 1);
  });

  it('refuses what is clearly not audio: text, images, documents', function () {
    const r = rig();
    const refused = (data: unknown, re: RegExp) => assert.throws(() => r.uplink.push({ data }), (e: unknown) => e instanceof AudioFormatError && re.test(e.message));
    refused('hello world', /text .*not base64 audio/);
    refused('helloworld', /decodes to 7 bytes, which are not whole samples/);
    refused(Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), /JPEG image, not audio/);
    refused(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), /PNG image, not audio/);
    refused(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj'), /PDF document, not audio/);
    refused(Buffer.from('{"text": "this is a JSON document, not audio samples at all"}'), /is text, not audio/);
    assert.equal(r.frames.length, 0);
    // Still usable.
    r.uplink.push({ data: encodeWav(tone(0.5), 16000) });
    assert.ok(r.frames.length >= 1);
  });

  it('live chunks are gated; "stop" closes the utterance; finishAtEnd finishes once everything was sent', function () {
    const r = rig({ finishAtEnd: true, endSilenceSeconds: 1 });
    const live = Buffer.concat([Buffer.alloc(32000 * 3), tone(1, 440, -12), Buffer.alloc(32000 * 3)]);
    for (let at = 0; at < live.length; at += 3200) r.uplink.push({ data: live.subarray(at, at + 3200) });
    const sent = seconds(r.frames);
    assert.ok(sent >= 1.2 && sent < 3, `gated: ${sent} s of 7 s sent`);
    assert.equal(r.finished, 0);
    r.uplink.end();
    clock.tick(100);
    assert.equal(r.finished, 1);
  });
});
