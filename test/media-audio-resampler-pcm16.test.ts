/**
 * The resampler's SIMD conversion of its outputs to PCM16 gives the bytes of floatToPcm16 (pcm.ts) for every
 * kind of float: ties (Math.round sends them up, SIMD nearest() to even), clipping, NaN, infinities, -0,
 * subnormals. (An exhaustive run over all 2^32 floats agreed too; it takes half a minute, so it is not here.)
 */
import assert from 'node:assert/strict';
import { instantiateFir } from '../src/media/audio/fir-wasm';
import { floatToPcm16Into } from '../src/media/audio/pcm';
import { lcg } from './support/audio-signals';

function edgeCases(): number[] {
  const v: number[] = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 1.2e-38, 3.4e38, -3.4e38, 1, -1, 2, -2];
  for (const k of [0, 1, 2, 3, 100, 101, 16383, 32765, 32766, 32767, 32768]) {
    for (const d of [-0.5, 0.5, -0.5000001, -0.4999999, 0.4999999, 0.5000001, 0]) {
      v.push((k + d) / 32768, -(k + d) / 32768);
    }
  }
  return v;
}

describe('media/audio resampler: SIMD PCM16 conversion', () => {
  it('gives the bytes of floatToPcm16Into for ties, clipping, NaN, infinities and a million random floats', () => {
    const memory = new WebAssembly.Memory({ initial: 128 });
    const k = instantiateFir(memory);
    assert.ok(k, 'this Node has WebAssembly SIMD');
    const n = 1 << 20;
    const f32 = new Float32Array(memory.buffer, 0, n);
    const u32 = new Uint32Array(memory.buffer, 0, n);
    const edges = edgeCases();
    f32.set(edges);
    const next = lcg(3);
    // Random bit patterns: every exponent, sign and NaN payload, not just the audio range.
    for (let i = edges.length; i < n; i++) u32[i] = Math.floor(next() * 2 ** 32);
    // An odd count: the kernel rounds up to 8, and the bytes past n must not matter.
    const count = n - 3;
    k.pcm16(0, count, 4 * n);
    const got = Buffer.from(memory.buffer, 4 * n, 2 * count);
    const want = Buffer.alloc(2 * count);
    floatToPcm16Into(f32, 0, count, want, 0);
    for (let i = 0; i < edges.length; i++) assert.equal(got.readInt16LE(2 * i), want.readInt16LE(2 * i), `${edges[i]}`);
    assert.ok(got.equals(want), 'random floats');
    // The ties themselves, to be sure they were exercised: 2.5 and -2.5 samples round up, as Math.round does.
    assert.deepEqual([got.readInt16LE(2 * edges.indexOf(2.5 / 32768)), got.readInt16LE(2 * edges.indexOf(-2.5 / 32768))], [3, -2]);
  });
});
