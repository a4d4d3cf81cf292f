import assert from 'node:assert/strict';
import { lagMeter } from './support/loop-lag';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lag meter (the slack of wall-clock upper bounds in tests)', function () {
  it('counts a blocked event loop as lag, never more than the time that passed', async function () {
    const started = performance.now();
    const meter = lagMeter();
    await sleep(30);
    const until = performance.now() + 300;
    while (performance.now() < until) { /* the loop is blocked, as on a loaded machine */ }
    await sleep(30);
    const lag = meter.lagMs();
    const elapsed = performance.now() - started;
    meter.stop();
    assert.ok(lag >= 280, `300 ms of blocking measured as ${lag.toFixed(0)} ms of lag`);
    assert.ok(lag < elapsed, `lag ${lag.toFixed(0)} ms within the ${elapsed.toFixed(0)} ms that passed`);
  });
});
