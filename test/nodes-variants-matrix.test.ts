/**
 * The real nodes (audio in → session → translation out) against the simulator in each of its
 * variants: however the service spells its partials and orders its events, the finals are the
 * scripted lines, every partial carries the whole line so far (a start of the final line, never a
 * fragment), and source and translation are paired.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Simulator, type SimVariants } from '../src/simulator';
import { helper, loadFlow, capture, sessionConfig, waitFor, type Captured } from './support/red';
import { speechFile } from './support/fixtures';

const SCRIPT = [
  { transcript: 'Good morning everyone, and welcome to the quarterly meeting of the whole team.', translation: '皆さん、おはようございます。チーム全体の四半期会議へようこそ。' },
  { transcript: 'The presentation will start in five minutes, in the large room upstairs.', translation: 'プレゼンテーションは五分後に、上の階の大きな部屋で始まります。' },
];

interface Mode { name: string; variants: SimVariants; output?: 'text' | 'text+audio' }

const MODES: Mode[] = [
  { name: 'cumulative partials while speech continues (default)', variants: {} },
  { name: 'reply after the speaker stops', variants: { pace: 'after-speech' } },
  { name: 'delta events', variants: { partials: 'delta' } },
  { name: 'no stash', variants: { stash: false } },
  { name: 'an empty final after each response', variants: { emptyFinal: true } },
  { name: 'each final twice', variants: { repeatDone: true } },
  { name: 'translation before source', variants: { translationFirst: true } },
  { name: 'transcription failure', variants: { transcriptionFails: true } },
  { name: 'text only', variants: {}, output: 'text' },
  { name: 'incremental partials', variants: { partials: 'incremental' } },
  { name: 'incremental partials without stash', variants: { partials: 'incremental', stash: false } },
  { name: 'delta events, text only', variants: { partials: 'delta' }, output: 'text' },
  { name: 'incremental, translation before source, each final twice, empty finals', variants: { partials: 'incremental', translationFirst: true, repeatDone: true, emptyFinal: true } },
];

function flow(url: string, output: Mode['output']) {
  return [
    sessionConfig({ url, targetLanguage: 'ja', output: output || 'text+audio' }),
    { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', endSilence: 1, wires: [] },
    { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', partials: true, audioFormat: 'pcm', wires: [[], [], [], []] },
  ];
}

/**
 * Each partial of one line is a start of its final line and they never shrink. (Not every partial
 * reaches the output: translation out coalesces bursts, and the final supersedes the last ones.)
 */
function checkWholeLines(partials: Captured[], finals: Captured[], key: 'responseId' | 'itemId', what: string): void {
  for (const final of finals) {
    const line = final.msg.payload as string;
    const mine = partials.filter((p) => p.msg[key] === final.msg[key]).map((p) => p.msg.payload as string);
    assert.ok(mine.length >= 2, `${what} ${JSON.stringify(line)}: ${mine.length} partials`);
    mine.forEach((p, i) => {
      assert.ok(p.length > 0 && line.startsWith(p), `${what} partial #${i} ${JSON.stringify(p)} is not the start of ${JSON.stringify(line)}`);
      if (i > 0) assert.ok(p.length >= mine[i - 1].length, `${what} partial #${i} shrank: ${JSON.stringify(mine[i - 1])} → ${JSON.stringify(p)}`);
    });
  }
  const orphans = partials.filter((p) => !finals.some((f) => f.msg[key] === p.msg[key]));
  assert.deepEqual(orphans.map((p) => p.msg.payload), [], `${what}: partials of no final line`);
}

describe('nodes end to end in every simulator variant', function () {
  let sim: Simulator;
  const wavs = SCRIPT.map((s) => readFileSync(speechFile(s.transcript, { rate: 22050 })));

  afterEach(async function () {
    await helper.unload();
    await sim.stop();
  });

  for (const mode of MODES) {
    it(mode.name, async function () {
      sim = new Simulator({ script: SCRIPT, realtime: false, variants: mode.variants });
      const url = await sim.start();
      await loadFlow(flow(url, mode.output), { sess1: { apiKey: 'sk-test-123456' } });
      const got = capture(helper.getNode('out1'));
      await waitFor(() => sim.sessions.length > 0 && sim.sessions[0].config.translation?.language === 'ja', 5000, 'session.updated');
      const fails = !!mode.variants.transcriptionFails;
      const on = (port: number, partial?: boolean) => got.filter((c) => c.port === port && (partial === undefined || c.msg.partial === partial));
      // One recording at a time, each once the previous one is answered: both at once would overrun
      // the session's send buffer (fast pacing), and translation out lets partials through at 10/s
      // after a burst of 10, so the second line's partials wait until that budget has refilled.
      for (const [i, wav] of wavs.entries()) {
        if (i > 0) {
          await waitFor(() => on(0, false).length >= i, 10000, `final ${i}`);
          await new Promise((r) => setTimeout(r, 1100));
        }
        helper.getNode('in1').receive({ payload: wav });
      }

      const failures = () => on(3).filter((c) => c.msg.topic === 'conversation.item.input_audio_transcription.failed');
      await waitFor(() => on(0, false).length >= 2 && (fails ? failures().length >= 2 : on(1, false).length >= 2), 10000, 'both finals').catch((e: Error) => {
        const seen = got.map((c) => `${c.port}:${String(c.msg.topic)}${c.msg.partial === false ? '(final)' : ''}`).join(' ');
        throw new Error(`${e.message}; utterances heard: ${sim.sessions[0].utterances.length}; sent: ${sim.sessions[0].eventsSent.join(' ')}; out: ${seen}`);
      });
      await waitFor(() => sim.sessions[0].eventsSent.filter((t) => t === 'response.done').length >= (mode.variants.emptyFinal ? 4 : 2), 5000, 'every response');
      await new Promise((r) => setTimeout(r, 100));

      const finals = on(0, false);
      assert.deepEqual(finals.map((c) => c.msg.payload), SCRIPT.map((s) => s.translation));
      checkWholeLines(on(0, true), finals, 'responseId', 'translation');
      if (fails) {
        assert.equal(on(1).length, 0, 'no source text when transcription fails');
        assert.equal(failures().length, 2);
      } else {
        const sources = on(1, false);
        assert.deepEqual(sources.map((c) => c.msg.payload), SCRIPT.map((s) => s.transcript));
        checkWholeLines(on(1, true), sources, 'itemId', 'source');
        SCRIPT.forEach((s, i) => {
          const paired = finals[i].msg.source === s.transcript || sources[i].msg.translation === s.translation;
          assert.ok(paired, `utterance ${i + 1}: source and translation are paired`);
        });
      }
      if ((mode.variants.pace || 'simultaneous') === 'simultaneous') {
        const stopped = got.findIndex((c) => c.port === 3 && c.msg.topic === 'input_audio_buffer.speech_stopped');
        assert.ok(stopped > 0);
        assert.ok(got.slice(0, stopped).some((c) => c.port === 0 && c.msg.partial === true), 'a translation partial while speech continues');
      }
    });
  }
});
