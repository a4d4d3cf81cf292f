/**
 * The whole path in a real Node-RED runtime: a spoken WAV (not 16 kHz) goes into audio-in, over a
 * real WebSocket to the simulator, and translation-out emits the translation, transcript, audio
 * and usage of the utterance.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Simulator } from '../src/simulator';
import { helper, loadFlow, capture, sessionConfig, waitFor, type Captured } from './support/red';
import { speechFile, soxDuration } from './support/fixtures';

const SENTENCE = 'Good morning everyone. Welcome to the quarterly meeting.';
const SCRIPT = [{ transcript: SENTENCE, translation: '皆さん、おはようございます。四半期会議へようこそ。' }];

function flow(url: string, extra: Record<string, unknown> = {}) {
  return [
    sessionConfig({ url, targetLanguage: 'ja', ...extra }),
    { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', endSilence: 1, wires: [] },
    { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', partials: true, audioFormat: 'pcm', wires: [[], [], [], []] },
  ];
}

describe('end to end in Node-RED: spoken WAV → translation', function () {
  let sim: Simulator;
  let url: string;

  beforeEach(async function () {
    sim = new Simulator({ script: SCRIPT, realtime: false });
    url = await sim.start();
  });

  afterEach(async function () {
    await helper.unload();
    await sim.stop();
  });

  for (const rate of [44100, 22050]) {
    it(`translates a ${rate} Hz stereo WAV: partials, final, transcript, 24 kHz audio, usage, in order`, async function () {
      const wavPath = speechFile(SENTENCE, { rate, channels: 2 });
      const seconds = soxDuration(wavPath);
      await loadFlow(flow(url), { sess1: { apiKey: 'sk-test-123456' } });
      const out = helper.getNode('out1');
      const got = capture(out);
      await waitFor(() => sim.sessions.length > 0 && sim.sessions[0].config.translation?.language === 'ja', 5000, 'session.updated');

      helper.getNode('in1').receive({ payload: readFileSync(wavPath) });
      const done = await waitFor(() => got.find((c) => c.port === 3 && c.msg.topic === 'response.done'), 15000, 'response.done');

      const utterance = got.filter((c) => c.at <= done.at);
      const partials = utterance.filter((c) => c.port === 0 && c.msg.partial === true);
      const finals = utterance.filter((c) => c.port === 0 && c.msg.partial === false);
      const sources = utterance.filter((c) => c.port === 1 && c.msg.partial === false);
      const audio = utterance.filter((c) => c.port === 2);

      assert.ok(partials.length >= 2, `expected several partial translations, got ${partials.length}`);
      assert.equal(finals.length, 1);
      assert.equal(finals[0].msg.payload, SCRIPT[0].translation);
      assert.equal(finals[0].msg.language, 'ja');
      // Partials are cumulative lines: each one starts with the confirmed text of the one before.
      for (let i = 1; i < partials.length; i++) {
        const prev = partials[i - 1].msg.text as string;
        assert.ok((partials[i].msg.payload as string).startsWith(prev), 'partials replace, never append');
      }
      const order = (c: Captured) => got.indexOf(c);
      assert.ok(partials.every((p) => order(p) < order(finals[0])), 'partials come before the final translation');
      assert.equal(sources.length, 1);
      assert.equal(sources[0].msg.payload, SENTENCE);
      assert.equal(sources[0].msg.language, 'en');
      assert.ok(order(sources[0]) < order(done));

      assert.ok(audio.length >= 2, 'translated speech arrives in chunks');
      for (const a of audio) {
        assert.ok(Buffer.isBuffer(a.msg.payload));
        assert.equal(a.msg.sampleRate, 24000);
        assert.equal(a.msg.channels, 1);
        assert.equal(a.msg.bitDepth, 16);
        assert.equal((a.msg.payload as Buffer).length % 2, 0);
        assert.equal(a.msg.responseId, finals[0].msg.responseId);
      }
      const audioSeconds = audio.reduce((s, a) => s + (a.msg.payload as Buffer).length, 0) / 48000;
      assert.ok(audioSeconds > 0.5, `translated speech lasts ${audioSeconds} s`);

      const usage = (done.msg.payload as { usage: { input_tokens_details: { audio_tokens: number } }; total: { responses: number } });
      assert.ok(usage.usage.input_tokens_details.audio_tokens > 0);
      assert.equal(usage.total.responses, 1);

      // What reached the service: 16 kHz mono PCM16 as long as the recording plus the 1 s tail.
      const rec = sim.sessions[0];
      await waitFor(() => rec.audioBytesReceived >= Math.floor((seconds + 1) * 32000) - 3200, 5000, 'all audio');
      const receivedSeconds = rec.audioBytesReceived / 32000;
      assert.ok(Math.abs(receivedSeconds - (seconds + 1)) <= 0.1 + 1e-9,
        `received ${receivedSeconds} s of 16 kHz PCM16 for ${seconds} s of audio + 1 s of silence`);
      assert.equal(rec.audioBytesReceived % 3200, 0, 'whole 100 ms frames');
    });
  }
});
