/**
 * The backoff holds while audio flows: a live microphone (a 100 ms frame every 100 ms) through a
 * 60 s outage, a 429 or 503 on every upgrade, a socket closed 1011 right after session.created,
 * a frame larger than the client accepts. Time is simulated (sinon fake timers for setTimeout,
 * setInterval and Date; the sockets are real), so each minute of outage takes well under a
 * second: the test asserts the attempt count, the minimum gap between attempts (what the backoff
 * promises, whatever the input), that every scheduled retry happened when announced, that audio
 * was buffered within the bound and the rest dropped and counted, and that speech after the
 * recovery is translated.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { RealtimeSession, type DropReport, type StateReason } from '../src/client';
import { DEFAULT_OPTIONS, toWireConfig, type ServerEvent } from '../src/protocol';
import { Simulator, type SimFaults, type SimSessionRecord } from '../src/simulator';
import { recordFigures } from './support/figures';
import { tone } from './support/sim-audio';

const KEY = 'sk-backoff-0123456789abcdef';
const FRAME = Buffer.alloc(3200);
const OUTAGE_MS = 60000;
const MAX_FRAME = 64 * 1024;
/** The client's defaults: 1 s doubling up to 30 s, each delay at least half its ceiling. */
const INITIAL_MS = 1000;
const MAX_MS = 30000;

type Kind = 'outage' | 'http-429' | 'http-503' | 'close-1011' | 'oversize';
const KINDS: Kind[] = ['outage', 'http-429', 'http-503', 'close-1011', 'oversize'];

/** Real event-loop turns (setImmediate is not faked), so socket I/O happens between fake ticks. */
async function realTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

describe('RealtimeSession: the backoff holds while audio flows', function () {
  this.timeout(60000);
  let clock: sinon.SinonFakeTimers | undefined;
  let sims: Simulator[] = [];
  let session: RealtimeSession | undefined;

  afterEach(async function () {
    if (session) session.dispose();
    session = undefined;
    if (clock) clock.restore();
    clock = undefined;
    for (const s of sims) await s.stop();
    sims = [];
  });

  for (const kind of KINDS) {
    it(`${kind}: a live mic through a 60 s fault makes at most 8 attempts, spaced by the backoff; speech after it is translated`, async function () {
      const faults: SimFaults = {};
      let sim = new Simulator({ realtime: false, apiKey: KEY, faults });
      sims.push(sim);
      const url = await sim.start();
      const port = Number(new URL(url).port);
      const onSession = (rec: SimSessionRecord) => {
        if (kind === 'close-1011') sim.closeWith(1011, 'overloaded', rec.id);
        if (kind === 'oversize') sim.injectOversized(MAX_FRAME + 4096, rec.id);
      };
      if (kind === 'outage') await sim.stop();
      if (kind === 'http-429') faults.refuseUpgrade = 429;
      if (kind === 'http-503') faults.refuseUpgrade = 503;
      sim.on('session', onSession);

      clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
      const s = new RealtimeSession({
        endpoint: url, apiKey: KEY, config: toWireConfig({ ...DEFAULT_OPTIONS, targetLanguage: 'ja' }), maxFrameBytes: MAX_FRAME,
      });
      session = s;
      const attempts: number[] = [];
      const announced: Array<{ at: number; retryAt: number }> = [];
      const events: ServerEvent[] = [];
      const drops: DropReport[] = [];
      s.on('connection', () => attempts.push(Date.now()));
      s.on('state', (st, r?: StateReason) => {
        if (st === 'closed' && r && r.retryAt !== undefined) announced.push({ at: Date.now(), retryAt: r.retryAt });
      });
      s.on('event', (e) => events.push(e));
      s.on('dropped', (d) => drops.push(d));

      // A live mic: one 100 ms frame every 100 ms, from the start.
      const t0 = Date.now();
      const step = async (frame: Buffer) => {
        s.appendAudio(frame);
        await clock!.tickAsync(100);
        // Let the sockets answer (a refused connect, an HTTP status, a close frame) before the next frame.
        for (let i = 0; i < 400 && s.state === 'connecting'; i++) await realTurns(1);
        await realTurns(2);
      };
      while (Date.now() - t0 < OUTAGE_MS) await step(FRAME);
      const during = attempts.length;
      const gaps = attempts.slice(1).map((t, i) => ((t - attempts[i]) / 1000).toFixed(1));
      process.stdout.write(`      ${kind}: ${during} attempts in 60 s, gaps ${gaps.join(', ')} s; ${s.stats.audioFramesDropped} of ${s.stats.audioFramesAppended} frames dropped (counted)\n`);
      recordFigures(this.test, {
        kind, outageSeconds: (Date.now() - t0) / 1000, attempts: during, gapsSeconds: gaps.map(Number),
        framesAppended: s.stats.audioFramesAppended, framesDropped: s.stats.audioFramesDropped, framesQueued: s.queuedAudioFrames,
      });

      // The attempts during the fault: few, and never closer than the backoff's floor.
      assert.ok(during <= 8, `${during} connection attempts in 60 s (at most 8)`);
      assert.ok(during >= 5, `${during} connection attempts in 60 s: the client kept retrying`);
      for (let i = 1; i < attempts.length; i++) {
        const floor = Math.min(MAX_MS, INITIAL_MS * 2 ** (i - 1)) / 2;
        assert.ok(attempts[i] - attempts[i - 1] >= floor, `attempt ${i + 1} came ${attempts[i] - attempts[i - 1]} ms after the one before (floor ${floor} ms)`);
      }
      // Every retry was made when the state said it would be, not earlier.
      assert.ok(announced.length >= during - 1, 'each failed attempt announced its retry');
      for (const a of announced) {
        const next = attempts.find((t) => t > a.at);
        if (next !== undefined) assert.equal(next, a.retryAt, 'the retry came when announced');
      }
      // Audio waited within the buffer (5 s by default); the rest was dropped and counted.
      const st = s.stats;
      assert.equal(st.audioFramesAppended, st.audioFramesSent + st.audioFramesDropped + s.queuedAudioFrames);
      assert.ok(s.queuedAudioFrames <= 50, `${s.queuedAudioFrames} frames queued (bound 50)`);
      assert.ok(st.audioFramesDropped >= 500, `${st.audioFramesDropped} frames dropped and counted`);
      assert.equal(drops.reduce((n, d) => n + d.audioFrames, 0), st.audioFramesDropped, 'every drop reported');

      // The service is back: the session reconnects when the backoff says and translates speech.
      sim.off('session', onSession);
      delete faults.refuseUpgrade;
      if (kind === 'outage') {
        sim = new Simulator({ realtime: false, apiKey: KEY, port });
        sims.push(sim);
        await sim.start();
      }
      const back = Date.now();
      while (s.state !== 'open' && Date.now() - back < MAX_MS + 5000) await step(FRAME);
      assert.equal(s.state, 'open', 'connected again once the service is back');
      const speech = Buffer.concat([tone(1.5, 300, -12), Buffer.alloc(32000)]);
      for (let off = 0; off < speech.length; off += 3200) await step(speech.subarray(off, off + 3200));
      for (let i = 0; i < 100 && !events.some((e) => e.type === 'response.done'); i++) await step(FRAME);
      assert.ok(events.some((e) => e.type === 'response.text.done' || e.type === 'response.audio_transcript.done'), 'the speech after the recovery was translated');
    });
  }

  it('a refused key never retries by itself, however much audio comes', async function () {
    const sim = new Simulator({ realtime: false, apiKey: KEY });
    sims.push(sim);
    const url = await sim.start();
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const s = new RealtimeSession({ endpoint: url, apiKey: 'sk-wrong-key-000', config: toWireConfig(DEFAULT_OPTIONS) });
    session = s;
    s.connect();
    for (let i = 0; i < 600; i++) {
      s.appendAudio(FRAME);
      await clock.tickAsync(100);
      await realTurns(3);
    }
    assert.equal(s.state, 'failed');
    recordFigures(this.test, { framesAppended: s.stats.audioFramesAppended, attempts: s.stats.connects, refusals: sim.refusals[401] });
    assert.equal(sim.refusals[401], 1, 'one refusal, no retry');
    assert.equal(s.stats.connects, 1);
  });
});
