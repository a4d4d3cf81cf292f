/**
 * RealtimeSession against the simulator over a real socket: handshake, states, typed events,
 * finish, refusal, reconnection, secrets.
 */
import assert from 'node:assert/strict';
import { RealtimeSession, sentEstimate, type SessionState, type StateReason } from '../src/client';
import { toWireConfig, DEFAULT_OPTIONS, type ServerEvent } from '../src/protocol';
import { Simulator } from '../src/simulator';
import { speechBuffer } from './support/fixtures';
import { waitFor } from './support/red';
import { scene } from './support/image-fixtures';

const KEY = 'sk-test-0123456789abcdef';

function session(url: string, extra: Partial<ConstructorParameters<typeof RealtimeSession>[0]> = {}) {
  const s = new RealtimeSession({
    endpoint: url, apiKey: KEY,
    config: toWireConfig({ ...DEFAULT_OPTIONS, targetLanguage: 'ja' }),
    backoff: { initialMs: 50, maxMs: 400, stableMs: 10000 }, ...extra,
  });
  const states: Array<[SessionState, StateReason | undefined]> = [];
  const events: ServerEvent[] = [];
  s.on('state', (st, r) => states.push([st, r]));
  s.on('event', (e) => events.push(e));
  return { s, states, events };
}

describe('RealtimeSession', function () {
  let sim: Simulator;
  let url: string;

  beforeEach(async function () {
    sim = new Simulator({ realtime: false, apiKey: KEY, script: [{ transcript: 'Hello there.', translation: 'こんにちは。' }] });
    url = await sim.start();
  });

  afterEach(async function () {
    await sim.stop();
  });

  it('opens, sends session.update first, and is open only once the service accepted it', async function () {
    const { s, states, events } = session(url);
    s.connect();
    await waitFor(() => s.state === 'open', 5000, 'open');
    assert.deepEqual(states.map((x) => x[0]), ['connecting', 'open']);
    assert.deepEqual(events.map((e) => e.type), ['session.created', 'session.updated']);
    assert.equal(sim.sessions[0].config.translation!.language, 'ja');
    assert.equal(sim.sessions[0].config.input_audio_transcription!.model, 'qwen3-asr-flash-realtime');
    s.dispose();
  });

  it('streams audio, receives an utterance as typed events, and finishes cleanly', async function () {
    const { s, states, events } = session(url);
    const pcm = speechBuffer('Hello there, how are you today?', { rate: 16000, type: 'raw', padEnd: 1.2 });
    for (let i = 0; i < pcm.length; i += 3200) s.appendAudio(pcm.subarray(i, i + 3200));
    await waitFor(() => events.some((e) => e.type === 'response.done'), 10000, 'response.done');
    const types = events.map((e) => e.type);
    assert.ok(types.indexOf('response.created') < types.indexOf('response.audio_transcript.done'));
    assert.equal(sim.sessions[0].audioBytesReceived, pcm.length);
    await s.finish();
    assert.ok(events.some((e) => e.type === 'session.finished'));
    assert.equal(s.state, 'closed');
    assert.deepEqual(states.map((x) => x[0]).slice(-2), ['closing', 'closed']);
    await waitFor(() => sim.openSockets() === 0, 3000, 'socket closed');
    s.dispose();
  });

  it('keeps audio sent before the socket opens and delivers it after session.updated', async function () {
    const { s } = session(url);
    s.appendAudio(Buffer.alloc(3200, 1));
    s.appendAudio(Buffer.alloc(3200, 2));
    await waitFor(() => sim.sessions[0] && sim.sessions[0].audioBytesReceived === 6400, 5000, 'queued audio');
    assert.equal(s.stats.audioBytesDropped, 0);
    s.dispose();
  });

  it('holds an image sent before any audio and sends it right after the first audio frame', async function () {
    const { s } = session(url);
    s.connect();
    await waitFor(() => s.state === 'open', 5000, 'open');
    const jpeg = await scene(320, 240).jpeg().toBuffer();
    s.appendImage(jpeg);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(sim.sessions[0].imagesReceived + sim.sessions[0].imagesRejected, 0, 'held, not sent before audio');
    s.appendAudio(Buffer.alloc(3200));
    await waitFor(() => sim.sessions[0].imagesReceived === 1, 3000, 'image after the first audio');
    assert.equal(sim.sessions[0].imagesRejected, 0);
    s.dispose();
  });

  it('spaces images on the wire within the service\'s 2 a second, the held one included: 10 a second in, none refused', async function () {
    const { s } = session(url);
    s.connect();
    await waitFor(() => s.state === 'open', 5000, 'open');
    const jpeg = await scene(320, 240).jpeg().toBuffer();
    s.appendImage(jpeg); // held until the first audio
    const start = Date.now();
    for (let i = 0; i < 30; i++) {
      s.appendAudio(Buffer.alloc(3200));
      s.appendImage(jpeg);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 700));
    const elapsed = (Date.now() - start) / 1000;
    const rec = sim.sessions[0];
    try {
      assert.equal(rec.imagesRejected, 0, 'the simulator refused no image');
      // Upper bound: the service's rate, plus the burst it allows. Lower bound: not starved (about 1.9 a second).
      assert.ok(rec.imagesReceived <= 2 * elapsed + 2, `${rec.imagesReceived} images in ${elapsed.toFixed(1)} s`);
      assert.ok(rec.imagesReceived >= Math.floor(1.9 * (elapsed - 0.7)) - 1, `${rec.imagesReceived} images in ${elapsed.toFixed(1)} s`);
      assert.equal(s.stats.imagesSent, rec.imagesReceived, 'every image written was received');
      assert.equal(s.stats.imagesSent + s.stats.imagesDropped, 31, 'every image sent (the last after its gap) or counted as replaced');
    } finally {
      s.dispose();
    }
  });

  it('counts an image and its billed tokens when it is written, not when a newer one replaced it', async function () {
    const { s } = session(url);
    s.connect();
    await waitFor(() => s.state === 'open', 5000, 'open');
    const jpeg = await scene(320, 240).jpeg().toBuffer();
    s.appendImage(jpeg, 100);
    s.appendImage(jpeg, 120); // replaces the first while both wait for audio
    assert.equal(s.stats.imagesSent, 0, 'nothing written yet');
    s.appendAudio(Buffer.alloc(3200));
    await waitFor(() => sim.sessions[0].imagesReceived === 1, 3000, 'image after the first audio');
    assert.equal(s.stats.imagesSent, 1);
    assert.equal(s.stats.imageTokensSent, 120);
    assert.equal(s.stats.imagesDropped, 1);
    assert.deepEqual(sentEstimate(s.stats), { audioSeconds: 0.1, audioTokens: 1.25, images: 1, imageTokens: 120, tokens: 121.25 });
    s.dispose();
  });

  it('fails without retrying on a wrong key, and the reason never contains the key', async function () {
    const { s, states } = session(url, { apiKey: 'sk-wrong-key-000000' });
    s.connect();
    await waitFor(() => s.state === 'failed', 5000, 'failed');
    const reason = states[states.length - 1][1]!;
    assert.equal(reason.code, 401);
    assert.equal(reason.retry, false);
    assert.match(reason.message, /refused the API key \(HTTP 401\)/);
    assert.doesNotMatch(reason.message, /sk-wrong-key/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(s.state, 'failed', 'no reconnect loop on 401');
    s.dispose();
  });

  it('fails without retrying when the service refuses the configuration', async function () {
    const { s, states } = session(url, { config: { ...toWireConfig(DEFAULT_OPTIONS), modalities: ['audio'] } });
    s.connect();
    await waitFor(() => s.state === 'failed', 5000, 'failed');
    assert.match(states[states.length - 1][1]!.message, /invalid session configuration: Invalid modalities/);
    s.dispose();
  });

  it('refuses plain ws:// to a remote host unless allowed', async function () {
    const { s, states } = session('ws://example.com/api-ws/v1/realtime');
    s.connect();
    assert.equal(s.state, 'failed');
    assert.match(states[0][1]!.message, /refusing plain ws:\/\/ to example.com/);
    s.dispose();
  });

  it('reconnects with backoff after the service goes away, and re-sends its configuration', async function () {
    const { s } = session(url);
    s.connect();
    await waitFor(() => s.state === 'open', 5000, 'open');
    const port = Number(new URL(url).port);
    await sim.stop();
    await waitFor(() => s.state === 'closed' || s.state === 'connecting', 3000, 'drop noticed');
    sim = new Simulator({ realtime: false, apiKey: KEY, port });
    await sim.start();
    await waitFor(() => s.state === 'open', 5000, 'reopened');
    assert.equal(sim.sessions[0].config.translation!.language, 'ja', 'configuration re-sent on reconnect');
    assert.ok(s.stats.connects >= 2);
    s.dispose();
  });
});
