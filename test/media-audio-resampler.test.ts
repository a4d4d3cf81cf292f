import assert from 'node:assert/strict';
import {
  AudioFormatError, AudioInputStream, decodeInterleaved, downmixToMono, floatToPcm16, parseWavHeader, StreamingResampler,
} from '../src/media/audio';
import { compare, concatF32, db, lcg, lowPass, rms, sine } from './support/audio-signals';
import { speechBuffer } from './support/fixtures';

const LibSampleRate = require('@alexanderolsen/libsamplerate-js') as {
  create(channels: number, inRate: number, outRate: number, o: { converterType: number }): Promise<{ full(x: Float32Array): Float32Array; destroy(): void }>;
  ConverterType: { SRC_SINC_BEST_QUALITY: number };
};

const ENGINES = ['auto', 'js'] as const;
/** Full-scale sine RMS: levels below are dBFS. */
const FS_RMS = Math.SQRT1_2;

function oneShot(x: Float32Array, inRate: number, outRate: number, engine: 'auto' | 'js' = 'auto'): Float32Array {
  const r = new StreamingResampler(inRate, outRate, { engine });
  return concatF32([r.process(x), r.flush()]);
}

function speech(rate: number): Float32Array {
  const wav = speechBuffer('The quick brown fox jumps over the lazy dog. She sells sea shells.', { rate, padStart: 0.2, padEnd: 0.3 });
  const h = parseWavHeader(wav);
  return decodeInterleaved(wav.subarray(h.dataOffset), h);
}

/** Residual between the output and the ideal (analytic) sine at the output rate, in dBFS, away from the edges. */
function residualDb(y: Float32Array, outRate: number, freq: number, amp: number): number {
  const ideal = sine(outRate, freq, y.length / outRate, amp);
  const from = Math.round(outRate * 0.05);
  const to = y.length - from;
  const diff = new Float32Array(to - from);
  for (let i = from; i < to; i++) diff[i - from] = y[i] - ideal[i];
  return db(rms(diff) / FS_RMS);
}

describe('media/audio StreamingResampler', function () {
  this.timeout(120000);

  describe('against libsamplerate (SINC_BEST_QUALITY) on espeak speech', () => {
    for (const inRate of [44100, 22050, 48000, 8000]) {
      it(`${inRate} -> 16000 Hz matches the oracle in the shared pass band (> 60 dB SNR), with no delay`, async () => {
        const x = speech(inRate);
        const ours = oneShot(x, inRate, 16000);
        const src = await LibSampleRate.create(1, inRate, 16000, { converterType: LibSampleRate.ConverterType.SRC_SINC_BEST_QUALITY });
        const ref = src.full(x);
        src.destroy();
        assert.equal(ours.length, Math.round((x.length * 16000) / inRate));
        // Alignment: the best lag must be 0 (both are zero-delay); look around it to prove it.
        const n = Math.min(ours.length, ref.length) - 400;
        let bestLag = 0, bestSnr = -Infinity;
        for (let lag = -5; lag <= 5; lag++) {
          const { snr } = compare(ref.subarray(200 + lag), ours.subarray(200), 0, n - 10);
          if (snr > bestSnr) [bestLag, bestSnr] = [lag, snr];
        }
        assert.equal(bestLag, 0, 'output is time-aligned with the oracle');
        // Full band differs by design near the top: our pass band ends at 0.875 x Nyquist of the lower rate
        // (the stop band starts at Nyquist), libsamplerate's later. Where both are flat (below 0.85 x Nyquist) they must agree closely.
        const full = compare(ref, ours, 200, n);
        const cutoff = 0.85 * (Math.min(inRate, 16000) / 2);
        const a = lowPass(ref.subarray(0, n + 200), 16000, cutoff);
        const b = lowPass(ours.subarray(0, n + 200), 16000, cutoff);
        const band = compare(a, b, 600, n - 400);
        console.log(`      ${inRate} Hz: full-band SNR ${full.snr.toFixed(1)} dB (max |diff| ${full.maxDiff.toExponential(2)}), `
          + `below ${cutoff} Hz SNR ${band.snr.toFixed(1)} dB (max |diff| ${band.maxDiff.toExponential(2)})`);
        assert.ok(band.snr > 60, `in-band SNR vs oracle ${band.snr.toFixed(1)} dB`);
        assert.ok(full.snr > 30, `full-band SNR vs oracle ${full.snr.toFixed(1)} dB`);
      });
    }
  });

  for (const engine of ENGINES) {
    describe(`quality (${engine} engine)`, () => {
      it('aliasing from at or above the output Nyquist is below -80 dBFS', () => {
        const cases: Array<[number, number]> = [[48000, 8000], [48000, 8200], [48000, 9000], [48000, 15000], [48000, 23000], [44100, 8100],
          [44100, 15000], [44100, 21000], [22050, 8300], [96000, 30000], [47999, 8200] /* interpolated phases */];
        for (const [inRate, f] of cases) {
          // A cosine-like phase: a tone exactly at 8 kHz must not sample to zeros.
          const x = sine(inRate, f, 0.5, 1).map((_, i) => Math.cos((2 * Math.PI * f * i) / inRate + 0.3));
          const y = oneShot(x, inRate, 16000, engine);
          const level = db(rms(y, 800, y.length - 800) / FS_RMS);
          assert.ok(level < -80, `${f} Hz at ${inRate} Hz leaves ${level.toFixed(1)} dBFS`);
        }
      });

      it('pass band: 100 Hz to 7 kHz within 0.1 dB, time-aligned (the residual against the ideal sine is tiny)', () => {
        for (const inRate of [48000, 44100, 22050, 32000]) {
          for (const f of [100, 440, 1000, 3000, 5000, 6500, 7000]) {
            const y = oneShot(sine(inRate, f, 0.4, 0.5), inRate, 16000, engine);
            const gain = db(rms(y, 800, y.length - 800) / rms(sine(16000, f, 0.4, 0.5), 800, y.length - 800));
            assert.ok(Math.abs(gain) < 0.1, `${f} Hz from ${inRate}: gain ${gain.toFixed(4)} dB`);
            // Any delay or phase error would show here: a 1-sample shift at 1 kHz is about -8 dB.
            const residual = residualDb(y, 16000, f, 0.5);
            assert.ok(residual < -80, `${f} Hz from ${inRate}: residual ${residual.toFixed(1)} dBFS`);
          }
        }
      });

      it('up-sampling 8 kHz -> 16 kHz: images below -90 dBFS, pass band to 3.5 kHz', () => {
        for (const f of [200, 1000, 3000, 3500]) {
          const y = oneShot(sine(8000, f, 0.5, 0.9), 8000, 16000, engine);
          // The image of f sits at 8000 - f; the residual against the ideal sine holds it and any pass-band error.
          const residual = residualDb(y, 16000, f, 0.9);
          assert.ok(residual < (f > 3000 ? -80 : -90), `${f} Hz: residual ${residual.toFixed(1)} dBFS`);
        }
      });
    });
  }

  it('chunked output is bit-identical to one-shot output, for any chunk sizes including 1', () => {
    const rand = lcg(42);
    const pairs: Array<[number, number, 'auto' | 'js']> = [[48000, 16000, 'auto'], [44100, 16000, 'auto'], [8000, 16000, 'auto'],
      [11025, 16000, 'auto'], [16000, 24000, 'auto'], [44100, 16000, 'js'], [47999, 16000, 'auto'], [16000, 16000, 'auto'],
      [48000, 16000, 'js'], [96000, 16000, 'auto'], [96000, 16000, 'js'], [88200, 16000, 'auto'], [24000, 8000, 'auto']];
    for (const [inRate, outRate, engine] of pairs) {
      const x = sine(inRate, 1234, 0.35, 0.7).map((v, i) => v + 0.2 * Math.sin(i * 0.37) * ((i % 97) / 97));
      const whole = oneShot(x, inRate, outRate, engine);
      const r = new StreamingResampler(inRate, outRate, { engine });
      const pieces: Float32Array[] = [];
      for (let at = 0; at < x.length;) {
        const size = rand() < 0.3 ? 1 : 1 + Math.floor(rand() * (rand() < 0.5 ? 7 : 3000));
        pieces.push(r.process(x.subarray(at, at + size)));
        at += size;
      }
      pieces.push(r.flush());
      const chunked = concatF32(pieces);
      assert.equal(chunked.length, whole.length, `${inRate}->${outRate} length`);
      assert.ok(Buffer.from(chunked.buffer).equals(Buffer.from(whole.buffer)), `${inRate}->${outRate} (${engine}) bit-identical`);
    }
  });

  it('inputs longer than its internal slice give the same result as chunks', () => {
    const x = sine(48000, 500, 4, 0.5);
    const whole = oneShot(x, 48000, 16000);
    const r = new StreamingResampler(48000, 16000);
    const chunked = concatF32([r.process(x.subarray(0, 100001)), r.process(x.subarray(100001)), r.flush()]);
    assert.ok(Buffer.from(chunked.buffer).equals(Buffer.from(whole.buffer)));
  });

  it('total output length is round(n * out / in), and flush makes it reusable', () => {
    for (const [inRate, outRate] of [[48000, 16000], [44100, 16000], [22050, 16000], [8000, 16000], [11025, 16000], [47999, 16000], [96000, 16000]]) {
      const r = new StreamingResampler(inRate, outRate);
      for (const n of [0, 1, 2, 3, 7, 100, 441, 1000, 44101, 48001]) {
        const got = r.process(new Float32Array(n).fill(0.25)).length + r.flush().length;
        assert.equal(got, Math.round((n * outRate) / inRate), `${inRate}->${outRate}, ${n} samples`);
      }
    }
    // DC passes at unity gain; after a flush a new stream starts clean (no tail of the old one).
    const r = new StreamingResampler(44100, 16000);
    r.process(new Float32Array(5000).fill(0.9));
    r.flush();
    const silence = concatF32([r.process(new Float32Array(2000)), r.flush()]);
    assert.ok(silence.every((v) => v === 0), 'nothing of the old stream leaks into the new one');
    const y = concatF32([r.process(new Float32Array(44100).fill(0.5)), r.flush()]);
    assert.ok(Math.abs(y[8000] - 0.5) < 1e-5, `DC gain: ${y[8000]}`);
  });

  it('same rate is a pass-through copy', () => {
    const r = new StreamingResampler(16000, 16000);
    const x = new Float32Array([0.1, -0.2, 0.3]);
    const y = r.process(x);
    assert.notEqual(y, x);
    assert.deepEqual(Array.from(y), Array.from(x));
    assert.equal(r.flush().length, 0);
  });

  it('refuses nonsense rates with AudioFormatError', () => {
    assert.throws(() => new StreamingResampler(0, 16000), AudioFormatError);
    assert.throws(() => new StreamingResampler(44100.5, 16000), /whole number of Hz/);
  });

  it('throughput: 48 kHz stereo 16-bit -> 16 kHz mono (figures printed, not asserted)', () => {
    const seconds = 60;
    const interleaved = new Float32Array(48000 * 2 * seconds);
    const tone = sine(48000, 440, seconds, 0.5);
    for (let i = 0; i < tone.length; i++) { interleaved[2 * i] = tone[i]; interleaved[2 * i + 1] = -tone[i]; }
    const bytes = floatToPcm16(interleaved);
    const chunk = (48000 * 2 * 2) / 10; // 100 ms chunks, as a microphone would send them
    const best = (fn: () => number) => {
      let ms = Infinity, out = 0;
      for (let rep = 0; rep < 5; rep++) {
        const t0 = process.hrtime.bigint();
        out = fn();
        ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
      }
      return { ms, out };
    };
    const figure = (what: string, ms: number) => console.log(`      ${what}: ${seconds} s in ${ms.toFixed(1)} ms = ${((seconds * 1000) / ms).toFixed(0)}x real time`);
    // The product path: bytes in, PCM16 out (decode + down-mix, resample, convert), 100 ms chunks.
    const whole = best(() => {
      const s = new AudioInputStream({ sampleRate: 48000, channels: 2, bitDepth: 16, float: false });
      let out = 0;
      for (let at = 0; at < bytes.length; at += chunk) out += s.push({ data: bytes.subarray(at, at + chunk) }).length;
      return out + s.end().length;
    });
    figure('AudioInputStream, bytes -> PCM16', whole.ms);
    assert.equal(whole.out, 16000 * seconds * 2);
    const mono = downmixToMono(interleaved, 2);
    for (const engine of ENGINES) {
      const r = best(() => {
        const rs = new StreamingResampler(48000, 16000, { engine });
        let out = 0;
        for (let at = 0; at < mono.length; at += 4800) out += rs.process(mono.subarray(at, at + 4800)).length;
        return out + rs.flush().length;
      });
      figure(`StreamingResampler alone, ${engine === 'auto' && new StreamingResampler(48000, 16000).accelerated ? 'WebAssembly SIMD' : 'JavaScript'}`, r.ms);
      assert.equal(r.out, 16000 * seconds);
    }
  });
});
