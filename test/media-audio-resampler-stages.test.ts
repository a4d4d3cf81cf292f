/**
 * The resampler's stages: which rate pairs halve the rate first, and that a chain of stages keeps every promise
 * of a single one (chunking invariance, total length, PCM16 bytes, both engines).
 */
import assert from 'node:assert/strict';
import { floatToPcm16, StreamingResampler } from '../src/media/audio';
import { kaiserSize } from '../src/media/audio/sinc-filter';
import { planStages } from '../src/media/audio/stage-plan';
import { lcg, sine } from './support/audio-signals';

const plan = (inRate: number) => planStages(inRate, 16000).map((s) => `${s.inRate}->${s.outRate}`).join(' ');

/** A tone plus a ramp of noise up to the input's Nyquist, so every stage has work to do in every band. */
function signal(rate: number, seconds: number): Float32Array {
  const next = lcg(5);
  return sine(rate, 1234, seconds, 0.6).map((v, i) => v + 0.3 * (next() - 0.5) * ((i % 257) / 257));
}

describe('media/audio StreamingResampler stages', () => {
  it('halves 48 and 44.1 kHz (and each halving of 96, 88.2, 192 kHz) before the rational stage; others convert directly', () => {
    assert.equal(plan(48000), '48000->24000 24000->16000');
    assert.equal(plan(44100), '44100->22050 22050->16000');
    assert.equal(plan(96000), '96000->48000 48000->24000 24000->16000');
    assert.equal(plan(88200), '88200->44100 44100->22050 22050->16000');
    assert.equal(plan(192000), '192000->96000 96000->48000 48000->24000 24000->16000');
    // Halving 32 kHz lands on 16 kHz (nothing to gain), 22.05 and 8 kHz are below 32 kHz, 47999 is odd.
    for (const rate of [32000, 22050, 11025, 8000, 47999, 16000]) assert.equal(plan(rate), `${rate}->16000`);
    assert.equal(planStages(16000, 48000).length, 1, 'up-sampling is one stage');
  });

  it('a halving stage keeps the final pass band and rejects only what would fold into it, in few taps', () => {
    const [half, rest] = planStages(48000, 16000);
    assert.deepEqual([half.passHz, half.stopHz], [7000, 16000]);
    assert.deepEqual([rest.passHz, rest.stopHz], [7000, 8000]);
    // The work per second of input: half of 48 kHz times its taps, plus 16 kHz times the last stage's.
    const direct = 16000 * kaiserSize(planStages(47999, 16000)[0]).taps;
    const staged = 24000 * kaiserSize(half).taps + 16000 * kaiserSize(rest).taps;
    assert.ok(kaiserSize(half).taps <= 48 && kaiserSize(half).taps >= 32, `halving taps ${kaiserSize(half).taps}`);
    assert.ok(staged < 0.8 * direct, `multiply-adds per second: ${staged} staged vs ${direct} direct`);
  });

  // Chunking invariance of chains: the bit-identity test in media-audio-resampler.test.ts runs 48, 44.1, 96 kHz.
  it('chains give a total length of round(n * out / in) for every n, where rounding stage by stage would not', () => {
    for (const engine of ['auto', 'js'] as const) {
      for (const inRate of [48000, 44100, 96000, 88200]) {
        const r = new StreamingResampler(inRate, 16000, { engine });
        const x = signal(inRate, 0.01);
        for (let n = 0; n < 60; n++) {
          const got = r.process(x.subarray(0, n)).length + r.flush().length;
          assert.equal(got, Math.round((n * 16000) / inRate), `${inRate} Hz, ${n} samples (${engine})`);
        }
      }
    }
  });

  it('processPcm16 and flushPcm16 give the bytes of floatToPcm16 of process and flush', () => {
    for (const inRate of [48000, 44100, 22050, 8000, 16000]) {
      for (const engine of ['auto', 'js'] as const) {
        const x = signal(inRate, 0.25).map((v) => v * 1.8); // some of it clips
        const a = new StreamingResampler(inRate, 16000, { engine });
        const b = new StreamingResampler(inRate, 16000, { engine });
        for (const [from, to] of [[0, 1000], [1000, 1001], [1001, x.length]]) {
          assert.ok(a.processPcm16(x.subarray(from, to)).equals(floatToPcm16(b.process(x.subarray(from, to)))), `${inRate} ${engine}`);
        }
        const tail = a.flushPcm16();
        assert.ok(tail.length > 0 || inRate === 16000);
        assert.ok(tail.equals(floatToPcm16(b.flush())), `${inRate} ${engine} flush`);
      }
    }
  });
});
