/**
 * A short soak in every test run: 2 simulated hours of speech-like audio through the real nodes
 * (scripts/soak.ts in a process of its own, the simulator in another), with an options update on
 * the way. It must pass its own verdict: every audio frame reached the service,
 * memory flat after the first hour. The verdict itself is checked to fail when it should.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_RSS_GROWTH_MB, soakFailures } from '../scripts/soak-verdict';

const ROOT = join(__dirname, '..');
const HOURS = 2;
const FRAMES_PER_HOUR = 36000;

describe('soak: 2 simulated hours in the test run', function () {
  this.timeout(240000);

  it('every frame reaches the service, translations keep coming, the verdict passes', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'soak-'));
    try {
      const file = join(dir, 'soak.json');
      const env = { ...process.env, SOAK_HOURS: String(HOURS), SOAK_SESSIONS: '1', SOAK_CALIBRATION_MINUTES: '5', SOAK_TEXT_ONLY: '1', SOAK_RESULT: file };
      const child = spawn(process.execPath, [require.resolve('tsx/cli'), join(ROOT, 'scripts/soak.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 0, `the soak failed:\n${out}`);
      const r = JSON.parse(readFileSync(file, 'utf8')) as {
        translations: number; framesAppended: number; framesDropped: number; failures: string[];
        clientStats: Array<{ audioFramesSent: number; rotations: number; connects: number }>;
      };
      assert.equal(r.framesAppended, HOURS * FRAMES_PER_HOUR);
      assert.equal(r.framesDropped, 0);
      assert.equal(r.clientStats[0].audioFramesSent, HOURS * FRAMES_PER_HOUR, 'every frame written');
      assert.deepEqual(r.failures, []);
      // 1.5 s of tone in every 2.5 s: 1,440 utterances an hour.
      assert.ok(r.translations >= HOURS * 1440 * 0.9, `${r.translations} translations`);
      // Renewals are timed on the wall clock from a measured speed-up, so their count depends on
      // the machine's load; they are printed, not asserted.
      assert.ok(r.clientStats[0].connects >= 1);
      process.stdout.write(`      ${out.trim().split('\n').slice(-6).join('\n      ')}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the verdict fails on a dropped or failed frame and on RSS growth after hour 1', function () {
    const ok = { audioFramesAppended: 100, audioFramesSent: 100, audioFramesDropped: 0, audioFramesFailed: 0 };
    assert.deepEqual(soakFailures({ simulatedHours: 2, clientStats: [ok], rssGrowthFromHour1MB: 1 }), []);
    assert.equal(soakFailures({ simulatedHours: 2, clientStats: [{ ...ok, audioFramesSent: 99, audioFramesDropped: 1 }], rssGrowthFromHour1MB: 0 }).length, 1);
    assert.equal(soakFailures({ simulatedHours: 2, clientStats: [{ ...ok, audioFramesFailed: 1 }], rssGrowthFromHour1MB: 0 }).length, 1);
    assert.equal(soakFailures({ simulatedHours: 2, clientStats: [ok], rssGrowthFromHour1MB: MAX_RSS_GROWTH_MB }).length, 1);
    assert.equal(soakFailures({ simulatedHours: 2, clientStats: [{ ...ok, audioFramesAppended: 0, audioFramesSent: 0 }], rssGrowthFromHour1MB: 0 }).length, 1);
  });
});
