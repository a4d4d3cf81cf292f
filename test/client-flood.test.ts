/**
 * A server flooding bad frames (invalid JSON, binary) or error events: the session stays open and
 * its listeners hear each kind once a window, with summaries that count every frame.
 */
import assert from 'node:assert/strict';
import { RealtimeSession } from '../src/client';
import { DEFAULT_OPTIONS, toWireConfig } from '../src/protocol';
import { Simulator } from '../src/simulator';
import { recordFigures } from './support/figures';
import { waitFor } from './support/red';

const KEY = 'sk-flood-0123456789';
const FLOOD = 20000;

describe('RealtimeSession: a flood of bad frames', function () {
  this.timeout(30000);
  let sim: Simulator;
  let s: RealtimeSession | undefined;

  beforeEach(async function () {
    sim = new Simulator({ realtime: false, apiKey: KEY });
    await sim.start();
  });
  afterEach(async function () {
    if (s) s.dispose();
    s = undefined;
    await sim.stop();
  });

  it(`${FLOOD} invalid JSON frames are said a few times, every one counted`, async function () {
    s = new RealtimeSession({ endpoint: sim.url, apiKey: KEY, config: toWireConfig(DEFAULT_OPTIONS) });
    const problems: string[] = [];
    s.on('problem', (m) => problems.push(m));
    s.connect();
    await waitFor(() => s!.state === 'open', 5000, 'open');
    for (let i = 0; i < FLOOD; i++) sim.inject(`{"type": broken ${i}`);
    const counted = () => problems.reduce((n, p) => n + (/\((\d+) more like it/.exec(p) ? Number(/\((\d+) more like it/.exec(p)![1]) : 1), 0);
    // The first window is 1 s, the next 2 s: every frame is said or counted within a few seconds.
    await waitFor(() => counted() >= FLOOD, 10000, 'every bad frame counted');
    recordFigures(this.test, { warnings: problems.length, counted: counted() });
    assert.equal(counted(), FLOOD);
    assert.ok(problems.length <= 4, `${problems.length} problems said:\n${problems.join('\n')}`);
    assert.ok(problems.length >= 2, 'the first at once, the rest in a summary');
    assert.match(problems[0], /ignored a bad frame from the service/);
    assert.equal(s.state, 'open', 'the session stays open');
  });
});
