/**
 * The silence gate in a real Node-RED runtime: a 60 s recording with about a quarter of speech, fed live
 * (raw 100 ms microphone chunks, no WAV header), is billed by the simulator at no more than 1.15× its
 * speech seconds, and every utterance still arrives whole and is translated. The gate decides from the
 * audio alone (stream time, not the wall clock), so the chunks are fed at once and the test is fast and
 * deterministic; fed in real time it would send the same bytes.
 *
 * "Speech seconds" are what the service's turn detection counts as speech on the same recording sent
 * without the gate: each utterance from its first voiced window to the end of the pause that closes it
 * (the simulator: 800 ms). No gate can do with less and still get every utterance translated promptly:
 * the service must hear that pause. The ratio against the bare voiced time is printed too.
 */
import assert from 'node:assert/strict';
import { Simulator } from '../src/simulator';
import { helper, loadFlow, capture, sessionConfig, waitFor, type Captured } from './support/red';
import { speechBuffer } from './support/fixtures';

const SENTENCES = [
  'Good morning everyone. Welcome to the quarterly meeting.',
  'The weather today is sunny with a light breeze from the west, and the temperature will reach twenty degrees.',
  'Please remember to switch off your phones before the presentation starts.',
];
const SCRIPT = [
  { transcript: SENTENCES[0], translation: 'Guten Morgen zusammen. Willkommen zur Quartalsbesprechung.' },
  { transcript: SENTENCES[1], translation: 'Das Wetter ist heute sonnig mit einer leichten Brise aus Westen.' },
  { transcript: SENTENCES[2], translation: 'Bitte schalten Sie Ihre Telefone vor der Präsentation aus.' },
];
/** Silence before each sentence, in seconds; the rest of the 60 s comes after the last one. */
const GAPS = [6, 14, 13];
const TOTAL_SECONDS = 60;

function recording(): { pcm: Buffer; clips: Buffer[] } {
  const clips = SENTENCES.map((t) => speechBuffer(t, { rate: 16000, type: 'raw' }));
  const parts: Buffer[] = [];
  clips.forEach((c, i) => parts.push(Buffer.alloc(GAPS[i] * 32000), c));
  const used = parts.reduce((n, p) => n + p.length, 0);
  parts.push(Buffer.alloc(TOTAL_SECONDS * 32000 - used));
  return { pcm: Buffer.concat(parts), clips };
}

function audible(pcm: Buffer, floor = 16): Buffer {
  let first = -1, last = -1;
  for (let i = 0; i < pcm.length / 2; i++) {
    if (Math.abs(pcm.readInt16LE(i * 2)) > floor) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return pcm.subarray(first * 2, (last + 1) * 2);
}

interface Run { billed: number; utterances: Array<{ startMs: number; endMs: number }>; received: Buffer; finals: Captured[] }

describe('silence gate in Node-RED: live input is billed for speech, not for silence', function () {
  this.timeout(60000);
  let sim: Simulator;

  before(async function () {
    sim = new Simulator({ script: SCRIPT, realtime: false });
    await sim.start();
  });

  after(async function () {
    await sim.stop();
  });

  async function feed(gate: 'auto' | 'off'): Promise<Run> {
    const before = sim.sessions.length;
    await loadFlow([
      sessionConfig({ url: sim.url, targetLanguage: 'de', transcription: false }),
      { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', gate, endSilence: 1, wires: [] },
      { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', partials: false, audioFormat: 'pcm', wires: [[], [], [], []] },
    ], { sess1: { apiKey: 'sk-test-123456' } });
    const got = capture(helper.getNode('out1'));
    await waitFor(() => sim.sessions.length > before && sim.sessions[sim.sessions.length - 1].config.translation?.language === 'de', 5000, 'session');
    const rec = sim.sessions[sim.sessions.length - 1];
    const { pcm } = recording();
    const input = helper.getNode('in1');
    // Live input: raw 100 ms chunks described the way a microphone node describes them.
    for (let at = 0; at < pcm.length; at += 3200) {
      input.receive({ payload: pcm.subarray(at, at + 3200), meta: { rate: 16000, channels: 1, bitwidth: 16, encoding: 'signed-integer' } });
    }
    input.receive({ payload: 'stop' });
    const finals = await waitFor(() => {
      const f = got.filter((c) => c.port === 0 && c.msg.partial === false);
      return f.length >= SENTENCES.length && f;
    }, 20000, 'every translation');
    // Nothing more is on its way once the socket is idle for a moment.
    let last = -1;
    await waitFor(() => {
      const same = rec.audioBytesReceived === last;
      last = rec.audioBytesReceived;
      return same;
    }, 5000, 'the stream to settle');
    const run = { billed: rec.billedAudioSeconds, utterances: rec.utterances.map((u) => ({ startMs: u.startMs, endMs: u.endMs })), received: rec.receivedAudio(), finals };
    await helper.unload();
    return run;
  }

  it('60 s with ~25 % speech: billed ≤ 1.15× the speech seconds, every utterance whole and translated', async function () {
    const { clips } = recording();
    const ungated = await feed('off');
    const gated = await feed('auto');

    assert.equal(ungated.utterances.length, SENTENCES.length);
    const speechSeconds = ungated.utterances.reduce((s, u) => s + (u.endMs - u.startMs), 0) / 1000;
    const voicedSeconds = clips.reduce((s, c) => s + audible(c).length, 0) / 32000;
    const ratio = gated.billed / speechSeconds;
    console.log(`      billed without the gate ${ungated.billed.toFixed(2)} s, with it ${gated.billed.toFixed(2)} s; `
      + `speech as the service counts it ${speechSeconds.toFixed(2)} s (ratio ${ratio.toFixed(3)}), voiced ${voicedSeconds.toFixed(2)} s `
      + `(ratio ${(gated.billed / voicedSeconds).toFixed(3)})`);
    assert.ok(ungated.billed >= TOTAL_SECONDS, 'without the gate every second is billed');
    assert.ok(ratio <= 1.15, `billed ${gated.billed} s for ${speechSeconds} s of speech: ${ratio.toFixed(3)}×`);
    assert.ok(gated.billed < ungated.billed / 2);

    // Every utterance heard as one, translated, in order.
    assert.equal(gated.utterances.length, SENTENCES.length, 'each sentence is one utterance, none merged or split');
    assert.deepEqual(gated.finals.map((f) => f.msg.payload), SCRIPT.map((s) => s.translation));
    // Whole: the audible part of each sentence is in what the simulator received, byte for byte, with at
    // least the pre-roll before it and the pause that closes it after.
    let from = 0;
    for (const c of clips) {
      const a = audible(c);
      const at = gated.received.indexOf(a, from);
      assert.ok(at >= 0, 'the sentence arrived whole');
      assert.ok(at - from >= 0.3 * 32000 - 640, `pre-roll before the sentence (${(at - from) / 32000} s)`);
      from = at + a.length;
    }
    // Each utterance the gated stream produced spans what the ungated one did (same speech, shifted in time).
    gated.utterances.forEach((u, i) => {
      const d = (u.endMs - u.startMs) - (ungated.utterances[i].endMs - ungated.utterances[i].startMs);
      assert.ok(Math.abs(d) <= 40, `utterance ${i} lasts as long gated as ungated (${d} ms apart)`);
    });
  });
});
