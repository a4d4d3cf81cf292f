/**
 * Back-pressure: while the socket holds more unsent bytes than `maxSocketBufferBytes`, audio
 * waits in the bounded queue (oldest dropped and counted) instead of piling up in the socket,
 * and goes out in order once a write completes with the socket below the limit.
 */
import assert from 'node:assert/strict';
import { RealtimeSession } from '../src/client';
import { toWireConfig, DEFAULT_OPTIONS } from '../src/protocol';
import { Simulator } from '../src/simulator';
import { waitFor } from './support/red';

const KEY = 'sk-test-backpressure';

/** A frame whose first sample says which frame it is. */
function frame(n: number): Buffer {
  const b = Buffer.alloc(3200);
  b.writeInt16LE(n, 0);
  return b;
}

describe('RealtimeSession back-pressure', function () {
  let sim: Simulator;
  let s: RealtimeSession;
  /** What the socket pretends to hold unsent. */
  let buffered = 0;

  beforeEach(async function () {
    sim = new Simulator({ realtime: false, apiKey: KEY });
    const url = await sim.start();
    s = new RealtimeSession({
      endpoint: url, apiKey: KEY, config: toWireConfig({ ...DEFAULT_OPTIONS, targetLanguage: 'ja' }),
      maxSocketBufferBytes: 64 * 1024, maxQueuedAudioBytes: 3 * 3200,
    });
    s.connect();
    await waitFor(() => s.state === 'open', 5000, 'open');
    buffered = 0;
    const ws = (s as unknown as { ws: object }).ws;
    Object.defineProperty(ws, 'bufferedAmount', { get: () => buffered, configurable: true });
  });

  afterEach(async function () {
    s.dispose();
    await sim.stop();
  });

  it('holds audio back while the socket is backed up, then sends it in order', async function () {
    s.appendAudio(frame(1));
    await waitFor(() => sim.sessions[0].audioAppends === 1, 5000, 'first frame');
    buffered = 1 << 20;
    s.appendAudio(frame(2));
    s.appendAudio(frame(3));
    assert.equal(s.queuedAudioFrames, 2);
    assert.equal(s.stats.audioFramesSent, 1);
    // Still backed up when a write completes: nothing moves.
    s.update({});
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.queuedAudioFrames, 2);
    // The socket drained: the next completed write releases the queue.
    buffered = 0;
    s.update({});
    await waitFor(() => sim.sessions[0].audioAppends === 3, 5000, 'queued frames');
    assert.equal(s.queuedAudioFrames, 0);
    s.appendAudio(frame(4));
    await waitFor(() => sim.sessions[0].audioAppends === 4, 5000, 'fourth frame');
    const got = sim.sessions[0].receivedAudio();
    assert.deepEqual([0, 1, 2, 3].map((i) => got.readInt16LE(i * 3200)), [1, 2, 3, 4]);
    assert.equal(s.stats.audioFramesDropped, 0);
  });

  it('keeps the most recent audio when the queue bound is reached, and counts the drops', async function () {
    buffered = 1 << 20;
    for (let n = 1; n <= 5; n++) s.appendAudio(frame(n));
    assert.equal(s.queuedAudioFrames, 3);
    assert.equal(s.stats.audioFramesDropped, 2);
    buffered = 0;
    // New audio after the socket drained goes behind what waited.
    s.appendAudio(frame(6));
    await waitFor(() => sim.sessions[0].audioAppends === 4, 5000, 'frames');
    const got = sim.sessions[0].receivedAudio();
    assert.deepEqual([0, 1, 2, 3].map((i) => got.readInt16LE(i * 3200)), [3, 4, 5, 6]);
    assert.equal(s.stats.audioFramesSent + s.stats.audioFramesDropped, s.stats.audioFramesAppended);
  });

  it('sends everything that waited when the session finishes, backed up or not', async function () {
    buffered = 1 << 20;
    s.appendAudio(frame(1));
    s.appendAudio(frame(2));
    assert.equal(s.queuedAudioFrames, 2);
    await s.finish(3000);
    assert.equal(sim.sessions[0].audioAppends, 2);
  });
});
