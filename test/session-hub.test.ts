/**
 * The session hub alone (no Node-RED): users and listeners come and go, status and events fan out,
 * a removed last user leaves the session unused, a closing session forgets its users on removal.
 * And the drop accounting: totals always, reports coalesced in time (fake timers).
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { NodeStatus } from 'node-red';
import { SessionHub, type HubOptions } from '../src/node-red/session-hub';
import { DropAccounting, describeDrops } from '../src/node-red/drop-accounting';
import type { DropSummary } from '../src/node-red/session-node';

function sink(): { status(s: NodeStatus): void; shown: NodeStatus[] } {
  const shown: NodeStatus[] = [];
  return { shown, status: (s) => { shown.push(s); } };
}

function hub(over: Partial<HubOptions> = {}): { hub: SessionHub; failures: Error[]; unused: number[] } {
  const failures: Error[] = [];
  const unused: number[] = [];
  const h = new SessionHub({ listenerFailed: (e) => failures.push(e), greeting: () => undefined, onUnused: () => unused.push(1), ...over });
  return { hub: h, failures, unused };
}

describe('session hub', function () {
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(function () { if (clock) clock.restore(); clock = undefined; });

  it('a user sees the current status when it registers, then every change, until it deregisters', function () {
    const { hub: h } = hub();
    h.showStatus({ fill: 'yellow', text: 'connecting' });
    const a = sink();
    const off = h.register(a);
    assert.deepEqual(a.shown, [{ fill: 'yellow', text: 'connecting' }]);
    h.showStatus({ fill: 'green', text: 'connected' });
    off();
    h.showStatus({ fill: 'grey', text: 'idle' });
    assert.deepEqual(a.shown.map((s) => s.text), ['connecting', 'connected']);
    assert.equal(h.userCount, 0);
  });

  it('a user whose status throws does not stop the others', function () {
    const { hub: h } = hub();
    const good = sink();
    h.register({ status: () => { throw new Error('being removed'); } });
    h.register(good);
    h.showStatus({ text: 'x' });
    assert.deepEqual(good.shown.map((s) => s.text), [undefined, 'x']);
  });

  it('the last user removed leaves the session unused after the grace period; a redeployed one does not', function () {
    clock = sinon.useFakeTimers();
    const { hub: h, unused } = hub({ unusedGraceMs: 1000 });
    const a = h.register(sink());
    const b = h.register(sink());
    a(true);
    clock.tick(5000);
    assert.equal(unused.length, 0, 'one user is left');
    b(false);
    clock.tick(5000);
    assert.equal(unused.length, 0, 'redeployed: it comes right back');
    const c = h.register(sink());
    c(true);
    clock.tick(999);
    assert.equal(unused.length, 0, 'within the grace period');
    clock.tick(1);
    assert.equal(unused.length, 1);
    c(true);
    clock.tick(5000);
    assert.equal(unused.length, 1, 'deregistering twice counts once');
  });

  it('one deploy that restarts a user and removes the last other leaves the session in use', function () {
    clock = sinon.useFakeTimers();
    const { hub: h, unused } = hub({ unusedGraceMs: 1000 });
    const redeployed = h.register(sink());
    const removed = h.register(sink());
    redeployed(false);
    removed(true);
    clock.tick(10);
    h.register(sink()); // the redeployed user's new instance
    clock.tick(5000);
    assert.equal(unused.length, 0);
    assert.equal(h.userCount, 1);
  });

  it('a listener that throws is reported and the others still hear the event', function () {
    const { hub: h, failures } = hub();
    const heard: string[] = [];
    h.subscribe({ problem: () => { throw new Error('boom'); } });
    h.subscribe({ problem: (m) => { heard.push(m); } });
    h.each((l) => l.problem && l.problem('p1'));
    assert.deepEqual(heard, ['p1']);
    assert.deepEqual(failures.map((e) => e.message), ['boom']);
  });

  it('a listener is greeted once on the next turn, unless a newer state reached it or it left', function () {
    clock = sinon.useFakeTimers();
    const greeted: string[] = [];
    const { hub: h } = hub({ greeting: (l) => greeted.push((l as { name?: string }).name || '') });
    h.subscribe({ name: 'a' } as never);
    h.subscribe({ name: 'b' } as never);
    const offC = h.subscribe({ name: 'c' } as never);
    offC();
    clock.runAll();
    assert.deepEqual(greeted, ['a', 'b']);
    h.subscribe({ name: 'd' } as never);
    h.stateReached();
    clock.runAll();
    assert.deepEqual(greeted, ['a', 'b'], 'd heard a newer state');
  });

  it('close on removal blanks the users\' status and forgets users and listeners; on redeploy the status stays', function () {
    for (const removed of [true, false]) {
      const { hub: h, unused } = hub();
      const a = sink();
      const off = h.register(a);
      const heard: string[] = [];
      h.subscribe({ problem: (m) => { heard.push(m); } });
      h.showStatus({ text: 'connected' });
      h.close(removed);
      h.each((l) => l.problem && l.problem('after close'));
      assert.deepEqual(heard, [], 'no listener after close');
      assert.equal(h.listenerCount, 0);
      assert.deepEqual(a.shown.at(-1), removed ? {} : { text: 'connected' });
      assert.equal(h.userCount, removed ? 0 : 1);
      off(true);
      assert.equal(unused.length, 0, 'a closed hub does not finish anything');
      const late = sink();
      h.register(late);
      assert.deepEqual(late.shown, [], 'no user joins a closed hub');
      assert.equal(h.userCount, 0);
    }
  });
});

describe('drop accounting', function () {
  let clock: sinon.SinonFakeTimers;
  beforeEach(function () { clock = sinon.useFakeTimers(); });
  afterEach(function () { clock.restore(); });

  it('counts totals at once and reports the drops of a window once, with reasons and totals', function () {
    const reports: DropSummary[] = [];
    const d = new DropAccounting({ reportMs: 1000, report: (s) => reports.push(s), unconfirmed: () => 3 });
    d.add({ audioFrames: 10, audioBytes: 32000, images: 0, reason: 'buffer-full' });
    d.add({ audioFrames: 0, audioBytes: 0, images: 2, reason: 'replaced' });
    assert.equal(d.count, 12);
    clock.tick(999);
    assert.equal(reports.length, 0);
    clock.tick(1);
    assert.equal(reports.length, 1);
    assert.deepEqual(reports[0], {
      audioFrames: 10, audioSeconds: 1, images: 2, reasons: ['buffer-full', 'replaced'],
      total: { audioFrames: 10, audioSeconds: 1, images: 2, audioFramesUnconfirmed: 3 },
    });
    d.add({ audioFrames: 5, audioBytes: 16000, images: 0, reason: 'send-failed' });
    clock.tick(1000);
    assert.equal(reports.length, 2);
    assert.equal(reports[1].audioFrames, 5);
    assert.equal(reports[1].total.audioFrames, 15);
    assert.equal(describeDrops(reports[0]), '10 audio frame(s) (1 s) and 2 image(s)');
  });

  it('after close it still counts but reports nothing and leaves no timer', function () {
    const reports: DropSummary[] = [];
    const d = new DropAccounting({ reportMs: 1000, report: (s) => reports.push(s), unconfirmed: () => 0 });
    d.add({ audioFrames: 1, audioBytes: 3200, images: 0, reason: 'buffer-full' });
    d.close();
    d.add({ audioFrames: 2, audioBytes: 6400, images: 0, reason: 'disposed' });
    assert.equal(clock.countTimers(), 0);
    clock.tick(5000);
    assert.equal(reports.length, 0);
    assert.equal(d.total.audioFrames, 3);
  });
});
