/**
 * WarningCoalescer: the first warning of a kind at once, repeats summarised once per window, the
 * window doubling while the kind keeps repeating, a quiet kind starting over, nothing after close.
 */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { WarningCoalescer } from '../src/util/warning-coalescer';
import { recordFigures } from './support/figures';

describe('WarningCoalescer', function () {
  let clock: sinon.SinonFakeTimers;
  beforeEach(function () { clock = sinon.useFakeTimers(); });
  afterEach(function () { clock.restore(); });

  function make(windowMs = 1000, maxWindowMs = 60000) {
    const said: Array<{ at: number; text: string; kind: string }> = [];
    const c = new WarningCoalescer({ emit: (text, kind) => said.push({ at: Date.now(), text, kind }), windowMs, maxWindowMs });
    return { c, said };
  }

  it('a flood of one kind for 15 s is said 5 times, each summary counting what it stands for', function () {
    const { c, said } = make();
    let sent = 0;
    // 20,000 bad frames a second for 15 s.
    for (let ms = 0; ms < 15000; ms++) {
      for (let i = 0; i < 20; i++) { c.warn('bad-frame', `bad frame #${sent}`); sent++; }
      clock.tick(1);
    }
    clock.tick(60000);
    recordFigures(this.test, { warningsIn: sent, warningsSaid: said.length, saidAtSeconds: said.map((x) => x.at / 1000) });
    assert.deepEqual(said.map((s) => s.at), [0, 1000, 3000, 7000, 15000]);
    assert.equal(said[0].text, 'bad frame #0');
    const counted = said.slice(1).map((s) => Number(/\((\d+) more like it/.exec(s.text)![1]));
    assert.equal(1 + counted.reduce((a, b) => a + b, 0), sent, 'every warning is said or counted');
    assert.match(said[1].text, /^bad frame #19999 \(19999 more like it in 1 s\)$/);
  });

  it('kinds are coalesced apart; a kind quiet for a whole window starts over', function () {
    const { c, said } = make();
    c.warn('a', 'a1');
    c.warn('b', 'b1');
    c.warn('a', 'a2');
    clock.tick(1000); // a's summary; its next window is 2 s
    assert.deepEqual(said.map((s) => s.text), ['a1', 'b1', 'a2 (1 more like it in 1 s)']);
    clock.tick(4500); // a quiet for its whole 2 s window and one more
    c.warn('a', 'a3');
    assert.equal(said[said.length - 1].text, 'a3', 'said at once again');
    c.warn('a', 'a4');
    clock.tick(999);
    assert.equal(said.length, 4, 'the repeat waits for the end of the (base) window');
    clock.tick(1);
    assert.equal(said.length, 5);
  });

  it('the window stops growing at maxWindowMs; a custom summary is worded when said', function () {
    const { c, said } = make(1000, 4000);
    let state = 0;
    for (let s = 0; s < 30; s++) {
      state = s;
      c.warn('x', `x${s}`, (n) => `still failing at ${state}, ${n} repeats`);
      clock.tick(1000);
    }
    const gaps = said.slice(1).map((s, i) => s.at - said[i].at);
    // Once a second, just slower than the first window: still said less and less often.
    assert.deepEqual(gaps.slice(0, 3), [1000, 2000, 4000]);
    assert.ok(gaps.slice(2).every((g) => g === 4000), `gaps ${gaps}`);
    assert.equal(said[1].text, 'x1');
    assert.equal(said[2].text, 'still failing at 2, 1 repeats');
  });

  it('close() clears every timer and says nothing more', function () {
    const { c, said } = make();
    c.warn('a', 'a1');
    c.warn('a', 'a2');
    assert.equal(clock.countTimers(), 1);
    c.close();
    assert.equal(clock.countTimers(), 0);
    c.warn('a', 'a3');
    clock.tick(10000);
    assert.deepEqual(said.map((s) => s.text), ['a1']);
  });

  it('an emitter that throws does not stop the next warning', function () {
    let n = 0;
    const c = new WarningCoalescer({ emit: () => { n++; throw new Error('listener'); } });
    c.warn('a', 'one');
    c.warn('b', 'two');
    assert.equal(n, 2);
  });
});
