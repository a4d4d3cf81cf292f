/**
 * audio in with its neighbours in a real Node-RED runtime and the simulator over a real socket: typed
 * arrays made in a real Function node (another realm), the real core `file in` node reading files whose
 * size is an exact multiple of its 64 KiB chunks, one audio in feeding two sessions, a refused key's
 * status, and text that is not audio.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator } from '../src/simulator';
import { encodeWav } from '../src/media/audio';
import { ALL_NODES, catchNode, helper, loadFlow, capture, sessionConfig, statuses, waitFor } from './support/red';
import { speechBuffer } from './support/fixtures';

const functionNode = require('@node-red/nodes/core/function/10-function.js');
const fileNode = require('@node-red/nodes/core/storage/10-file.js');
const NODES = [...ALL_NODES, functionNode, fileNode, catchNode];

const SENTENCES = ['The train to the airport leaves from platform four.', 'Please keep your luggage with you at all times, and report any unattended bags to a member of staff.'];
const SCRIPT = SENTENCES.map((s, i) => ({ transcript: s, translation: `翻訳 ${i + 1}` }));
type Msg = Record<string, unknown> & { error?: { message: string } };

describe('audio in with its neighbours in Node-RED', function () {
  this.timeout(30000);
  let sim: Simulator;
  let url: string;
  let dir: string;

  beforeEach(async function () {
    sim = new Simulator({ script: SCRIPT, realtime: false, apiKey: 'right-key-123456' });
    url = await sim.start();
    dir = mkdtempSync(join(tmpdir(), 'lt-input-'));
  });

  afterEach(async function () {
    await helper.unload();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const caughtErrors = (): Msg[] => {
    const got: Msg[] = [];
    helper.getNode('caught').on('input', (m: Msg) => got.push(m));
    return got;
  };

  for (const [kind, make] of [
    ['Int16Array', 'const a = new Int16Array(16000); for (let i = 0; i < a.length; i++) a[i] = Math.round(8000 * Math.sin(i / 5)); msg.payload = a;'],
    ['Float32Array', 'const a = new Float32Array(16000); for (let i = 0; i < a.length; i++) a[i] = 0.25 * Math.sin(i / 5); msg.payload = a;'],
    ['Uint8Array', 'const a = new Uint8Array(32000); for (let i = 0; i < a.length; i += 2) { const v = Math.round(8000 * Math.sin(i / 10)) & 0xffff; a[i] = v & 255; a[i + 1] = v >> 8; } msg.payload = a;'],
  ] as const) {
    it(`takes a ${kind} made in a Function node (another realm) as 1 s of audio`, async function () {
      await loadFlow([
        sessionConfig({ url, transcription: false }),
        { id: 'fn', type: 'function', func: `${make}\nreturn msg;`, outputs: 1, wires: [['in1']] },
        { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', gate: 'off', endSilence: 0, wires: [] },
        { id: 'caught', type: 'catch', scope: null, uncaught: false, wires: [] },
      ], { sess1: { apiKey: 'right-key-123456' } }, NODES);
      const errors = caughtErrors();
      await waitFor(() => sim.sessions[0], 5000, 'session');
      helper.getNode('fn').receive({ payload: 'go' });
      await waitFor(() => sim.sessions[0].audioBytesReceived >= 32000, 5000, 'one second of audio');
      assert.deepEqual(errors.map((e) => e.error?.message), []);
      assert.equal(sim.sessions[0].audioBytesReceived, 32000);
    });
  }

  it('core file in (chunk mode): files of exactly 64 KiB and 128 KiB each end their recording and are translated apart', async function () {
    const files = SENTENCES.map((s, i) => {
      // Cut inside the speech, so only the end of the recording can close the utterance.
      const size = 65536 * (i + 1);
      const pcm = speechBuffer(s, { rate: 16000, type: 'raw' });
      assert.ok(pcm.length > size, 'the sentence is longer than the file');
      const path = join(dir, `f${i}.wav`);
      writeFileSync(path, encodeWav(pcm.subarray(0, size - 44), 16000));
      return path;
    });
    await loadFlow([
      sessionConfig({ url, transcription: false }),
      { id: 'file', type: 'file in', filename: 'filename', filenameType: 'msg', format: 'stream', chunk: false, sendError: false, allProps: false, wires: [['in1']] },
      { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', endSilence: 1, wires: [] },
      { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', partials: false, audioFormat: 'pcm', wires: [[], [], [], []] },
      { id: 'caught', type: 'catch', scope: null, uncaught: false, wires: [] },
    ], { sess1: { apiKey: 'right-key-123456' } }, NODES);
    const errors = caughtErrors();
    const got = capture(helper.getNode('out1'));
    await waitFor(() => sim.sessions[0], 5000, 'session');
    const finals = () => got.filter((c) => c.port === 0 && c.msg.partial === false);
    helper.getNode('file').receive({ filename: files[0] });
    await waitFor(() => finals().length === 1, 15000, 'the first file translated on its own');
    helper.getNode('file').receive({ filename: files[1] });
    await waitFor(() => finals().length === 2, 15000, 'the second file translated on its own');
    assert.deepEqual(finals().map((c) => c.msg.payload), ['翻訳 1', '翻訳 2']);
    assert.deepEqual(errors.map((e) => e.error?.message), []);
    // Each file's audio plus its 1 s of end silence, in whole 100 ms frames.
    const expected = ((65536 - 44) + 1 * 32000 + (131072 - 44) + 1 * 32000) / 32000;
    await waitFor(() => sim.sessions[0].audioBytesReceived / 32000 >= expected - 0.2, 5000, 'all audio');
    assert.ok(Math.abs(sim.sessions[0].audioBytesReceived / 32000 - expected) <= 0.2, `${sim.sessions[0].audioBytesReceived / 32000} s for ${expected} s`);
  });

  it('one audio in feeds two sessions: the media is converted once and both translate it', async function () {
    await loadFlow([
      sessionConfig({ id: 'sess1', url, targetLanguage: 'ja', transcription: false }),
      sessionConfig({ id: 'sess2', url, targetLanguage: 'de', transcription: false }),
      { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', session2: 'sess2', pacing: 'fast', endSilence: 1, wires: [] },
      { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', partials: false, audioFormat: 'pcm', wires: [[], [], [], []] },
      { id: 'out2', type: 'livetranslate-translation-out', session: 'sess2', partials: false, audioFormat: 'pcm', wires: [[], [], [], []] },
    ], { sess1: { apiKey: 'right-key-123456' }, sess2: { apiKey: 'right-key-123456' } }, NODES);
    const a = capture(helper.getNode('out1'));
    const b = capture(helper.getNode('out2'));
    await waitFor(() => sim.sessions.length === 2 && sim.sessions.every((s) => s.config.translation?.language), 5000, 'two sessions');
    helper.getNode('in1').receive({ payload: speechBuffer(SENTENCES[0], { rate: 44100, channels: 2 }) });
    for (const got of [a, b]) await waitFor(() => got.find((c) => c.port === 0 && c.msg.partial === false), 15000, 'a translation from each');
    const [s1, s2] = sim.sessions;
    assert.ok(s1.audioBytesReceived > 32000);
    assert.ok(s1.receivedAudio().equals(s2.receivedAudio()), 'the same frames went to both');
    assert.deepEqual(sim.sessions.map((s) => s.config.translation?.language).sort(), ['de', 'ja']);
  });

  it('after a refused key, the status says so (not "bad audio") when audio is refused', async function () {
    await loadFlow([
      sessionConfig({ url }),
      { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', wires: [] },
      { id: 'caught', type: 'catch', scope: null, uncaught: false, wires: [] },
    ], { sess1: { apiKey: 'wrong-key-abcdef' } }, NODES);
    const seen = statuses(helper.getNode('in1') as never);
    const errors = caughtErrors();
    await waitFor(() => seen.some((s) => s.fill === 'red'), 5000, 'red status');
    helper.getNode('in1').receive({ payload: Buffer.alloc(3200) });
    await waitFor(() => errors.length === 1, 5000, 'the refusal as an error');
    assert.match(String(errors[0].error?.message), /audio not sent: the service refused the API key/);
    assert.match(String(seen[seen.length - 1].text), /badkey|API key refused/);
    assert.doesNotMatch(String(seen[seen.length - 1].text), /badaudio|bad audio/);
  });

  it('a data URL WAV that ends short is a whole file: the raw chunks after it are not read as the rest of it', async function () {
    await loadFlow([
      sessionConfig({ url, transcription: false }),
      { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', gate: 'off', endSilence: 0, wires: [] },
      { id: 'caught', type: 'catch', scope: null, uncaught: false, wires: [] },
    ], { sess1: { apiKey: 'right-key-123456' } }, NODES);
    caughtErrors();
    await waitFor(() => sim.sessions[0], 5000, 'session');
    // 0.5 s of 48 kHz stereo, in a header that gives no length (as a recorder streaming to a pipe writes it):
    // in a data URL nothing can follow, the file is all there.
    const wav = encodeWav(Buffer.alloc(48000 * 4 / 2, 1), 48000, 2);
    wav.writeUInt32LE(0xffffffff, 4);
    wav.writeUInt32LE(0xffffffff, 40);
    helper.getNode('in1').receive({ payload: `data:audio/wav;base64,${wav.toString('base64')}` });
    // Then a microphone's raw chunks at the node's format (16 kHz mono 16-bit): 1 s, as 1 s.
    for (let i = 0; i < 10; i++) helper.getNode('in1').receive({ payload: Buffer.alloc(3200, 2) });
    await waitFor(() => sim.sessions[0].audioBytesReceived >= 48000, 1500, '0.5 s of the file and 1 s of raw audio');
    assert.equal(sim.sessions[0].audioBytesReceived, 48000);
  });

  it('text that is not audio ("hello world") is refused with a catchable error; audio still goes after it', async function () {
    await loadFlow([
      sessionConfig({ url, transcription: false }),
      { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', gate: 'off', endSilence: 0, wires: [] },
      { id: 'caught', type: 'catch', scope: null, uncaught: false, wires: [] },
    ], { sess1: { apiKey: 'right-key-123456' } }, NODES);
    const errors = caughtErrors();
    await waitFor(() => sim.sessions[0], 5000, 'session');
    helper.getNode('in1').receive({ payload: 'hello world' });
    await waitFor(() => errors.length === 1, 5000, 'an error');
    assert.match(String(errors[0].error?.message), /is text .*not base64 audio/);
    helper.getNode('in1').receive({ payload: Buffer.alloc(6400) });
    await waitFor(() => sim.sessions[0].audioBytesReceived === 6400, 5000, 'the audio after it');
    assert.equal(errors.length, 1);
  });
});
