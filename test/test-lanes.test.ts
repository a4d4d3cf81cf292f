/** The test runner's lanes: counts from mocha's summary, and a failure's account repeated at the end. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failuresOf, runLanes, type Job } from '../scripts/version-matrix/lanes';

describe('test runner lanes', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'lanes-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, body);
    return path;
  };

  it('counts passes and failures per job and repeats each failure, with its error, for the end of the log', async () => {
    const green = file('green.test.js', "it('adds', () => {}); it('adds again', () => {});");
    const red = file('red.test.js', "it('holds', () => {}); it('breaks', () => { throw new Error('the reason it broke'); });");
    const dead = file('dead.test.js', "it('never ends', () => { process.exit(3); });");
    // A test whose output looks like a summary: only mocha's own, the last, counts.
    const chatty = file('chatty.test.js', "it('talks', () => { console.log('  7 passing (1s)\\n  3 failing'); });");
    const jobs: Job[] = [green, red, dead, chatty].map((f) => ({ label: f, args: ['--no-config', f], env: {} }));
    let printed = '';
    const results = await runLanes(jobs, { lanes: 2, browsers: 1, print: (t) => { printed += t; } });
    assert.deepEqual(results.map((r) => [r.passed, r.failed]), [[2, 0], [1, 1], [0, 1], [1, 0]]);
    assert.match(printed, new RegExp(`=== ${red}: 1 FAILED`));
    const report = failuresOf(jobs, results);
    assert.match(report, new RegExp(`--- ${red} ---[\\s\\S]*1 failing[\\s\\S]*breaks[\\s\\S]*the reason it broke`));
    assert.match(report, new RegExp(`--- ${dead} ---`));
    assert.doesNotMatch(report, new RegExp(`${green}|${chatty}`));
  });

  it('stops a process that stays alive after its summary, or runs too long, and counts it failed with the reason', async () => {
    const open = file('open.test.js', "it('leaves a timer', () => { setInterval(() => {}, 1000); });");
    const slow = file('slow.test.js', "it('waits', function (done) { this.timeout(0); setTimeout(done, 60000); });");
    const jobs: Job[] = [open, slow].map((f) => ({ label: f, args: ['--no-config', '--no-exit', f], env: {} }));
    const started = Date.now();
    const results = await runLanes(jobs, { lanes: 2, browsers: 1, print: () => undefined, exitGraceMs: 1500, timeoutMs: 4000 });
    assert.deepEqual(results.map((r) => [r.passed, r.failed]), [[1, 1], [0, 1]]);
    assert.match(results[0].failures!, /did not exit within 1.5 s of its summary/);
    assert.match(results[1].failures!, /still running after 4 s/);
    // Stopped by the watch, not at the end of its own minute; and not before the grace ran out.
    assert.ok(results[0].seconds >= 1.5 && Date.now() - started < 30_000, `${results[0].seconds} s`);
  });
});
