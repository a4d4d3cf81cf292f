/**
 * An outage in real time through a real Node-RED runtime with a live microphone (a 100 ms frame
 * every 100 ms into audio-in) and short backoff settings: the session retries when its backoff
 * says, not at the frame rate; the log gets a few coalesced warnings, not one per attempt; the
 * status names the time of the next attempt, and that attempt comes then; speech after the
 * service is back is translated.
 */
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { RealtimeSession } from '../src/client';
import { Simulator } from '../src/simulator';
import { capture, helper, loadFlow, sessionConfig, statuses, waitFor } from './support/red';
import { recordFigures } from './support/figures';
import { tone } from './support/sim-audio';

const KEY = 'sk-outage-5a7c1e9b3d';
const BACKOFF = { initialMs: 200, maxMs: 2000 };
const OUTAGE_MS = 10000;

describe('an outage with a live microphone, in Node-RED, in real time', function () {
  this.timeout(60000);
  let sim: Simulator | undefined;

  afterEach(async function () {
    await helper.unload();
    if (sim) await sim.stop();
    sim = undefined;
  });

  it('retries on the backoff, warns a few times, shows the next retry, translates after', async function () {
    sim = new Simulator({ realtime: false, apiKey: KEY });
    const url = await sim.start();
    const port = Number(new URL(url).port);
    await loadFlow([
      sessionConfig({ url, backoffInitialMs: BACKOFF.initialMs, backoffMaxMs: BACKOFF.maxMs, backoffStableMs: 60000 }),
      { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', gate: 'off', wires: [] },
      { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', partials: false, wires: [[], [], [], []] },
    ], { sess1: { apiKey: KEY } });
    const session = helper.getNode('sess1') as unknown as { realtime: RealtimeSession; warn: { args: unknown[][] } };
    const audioIn = helper.getNode('in1');
    const shown = statuses(audioIn as never);
    const shownAt: number[] = [];
    const realStatus = (audioIn as unknown as { status: (s: unknown) => void }).status;
    (audioIn as unknown as { status: (s: unknown) => void }).status = (s: unknown) => { shownAt.push(Date.now()); realStatus(s); };
    const out = capture(helper.getNode('out1') as never);
    await waitFor(() => session.realtime.state === 'open', 5000, 'connected');

    const attempts: number[] = [];
    session.realtime.on('connection', () => attempts.push(Date.now()));
    const mic = setInterval(() => audioIn.receive({ payload: Buffer.alloc(3200) }), 100);
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const warnsBefore = session.warn.args.length;
    const t0 = Date.now();
    try {
      await sim.stop();
      sim = undefined;
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      const during = attempts.length;
      sim = new Simulator({ realtime: false, apiKey: KEY, port });
      await sim.start();
      const outageSeconds = (Date.now() - t0) / 1000; // for the figures, below
      await waitFor(() => session.realtime.state === 'open', BACKOFF.maxMs + 3000, 'connected again');
      lag.disable();
      const lagMs = lag.max / 1e6;

      // Attempts: spaced at least by the backoff's floor (half of each ceiling), so few.
      const floors = attempts.slice(1).map((_, i) => Math.min(BACKOFF.maxMs, BACKOFF.initialMs * 2 ** i) / 2);
      const allowed = 1 + floors.reduce((n, _f, i) => (floors.slice(0, i + 1).reduce((a, b) => a + b, 0) <= OUTAGE_MS ? n + 1 : n), 0);
      assert.ok(during <= allowed, `${during} attempts in a ${OUTAGE_MS} ms outage (at most ${allowed}); the mic sent ${OUTAGE_MS / 100} frames`);
      assert.ok(during >= 4, `${during} attempts: the session kept retrying`);
      for (let i = 1; i < attempts.length; i++) {
        assert.ok(attempts[i] - attempts[i - 1] >= floors[i - 1], `attempt ${i + 1} came ${attempts[i] - attempts[i - 1]} ms after the one before (floor ${floors[i - 1]} ms)`);
      }

      // The status named the next attempt's time, and the attempt came then (to the second, plus loop lag).
      const retries = shown.map((s, i) => ({ text: String(s.text || ''), at: shownAt[i] })).filter((s) => /\d\d:\d\d:\d\d$/.test(s.text));
      assert.ok(retries.length >= during - 1, `${retries.length} statuses with the next retry's time: ${JSON.stringify(shown.slice(-8))}`);
      for (const r of retries) {
        const next = attempts.find((a) => a > r.at);
        if (next === undefined) continue;
        const said = r.text.slice(-8);
        const came = new Date(next).toTimeString().slice(0, 8);
        const late = new Date(next - 1000 - lagMs).toTimeString().slice(0, 8);
        assert.ok(came === said || late <= said, `status said ${said}, the attempt came at ${came}`);
        assert.ok(came >= said, `status said ${said}, the attempt came earlier, at ${came}`);
      }

      // The log: a handful of coalesced warnings, not one per attempt or per second of drops.
      const warned = session.warn.args.slice(warnsBefore).map((a) => String(a[0]));
      process.stdout.write(`      ${during} attempts and ${warned.length} warnings in a ${OUTAGE_MS / 1000} s outage:\n        ${warned.join('\n        ')}\n`);
      recordFigures(this.test, {
        outageSeconds, attempts: during, allowedAttempts: allowed, warnings: warned.length, warningTexts: warned,
        framesDropped: session.realtime.stats.audioFramesDropped,
      });
      assert.ok(warned.length <= 10, `${warned.length} warnings:\n${warned.join('\n')}`);
      assert.ok(warned.some((w) => /still unreachable, \d+ attempts, next in [\d.]+ s/.test(w)), `a coalesced warning:\n${warned.join('\n')}`);
      assert.ok(warned.some((w) => /connected again after/.test(w)), 'the recovery is said (with what was dropped)');
      assert.ok(Date.now() - t0 >= OUTAGE_MS);

      // Speech after the recovery is translated.
      const speech = Buffer.concat([tone(1.5, 300, -12), Buffer.alloc(32000)]);
      for (let off = 0; off < speech.length; off += 3200) audioIn.receive({ payload: speech.subarray(off, off + 3200) });
      await waitFor(() => out.some((c) => c.port === 0), 10000, 'a translation after the recovery');
    } finally {
      clearInterval(mic);
    }
  });
});
