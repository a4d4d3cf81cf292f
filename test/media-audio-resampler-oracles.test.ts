/**
 * The resampler's promise at the service's 16 kHz: flat (±0.1 dB) to 7 kHz, and everything at or above the lower
 * rate's Nyquist (8 kHz when down-sampling; for 8 kHz input, the images above 4 kHz) at least 80 dB down (the
 * design keeps 92 dB, asserted too), judged with tones from 6 to 12 kHz and with white noise, against
 * libsamplerate and sox as oracles.
 */
import assert from 'node:assert/strict';
import { StreamingResampler } from '../src/media/audio';
import { compare, concatF32, db, lcg, lowPass, rms } from './support/audio-signals';
import { fitTone, libsamplerate, sox } from './support/resample-oracles';

const OUT = 16000;
const TONES = [6000, 6500, 7000, 7500, 8000, 8200, 8500, 9000, 10000, 11000, 12000];
/** For 8 kHz input (nothing above 4 kHz exists): tones whose images land from 4 to 7.5 kHz. */
const UP_TONES = [500, 1000, 2000, 3000, 3500, 3800];
const AMP = 0.5;
const REJECTION_DB = 80;
/**
 * What the design achieves beyond the promise (Kaiser windows for 90 dB; 93.2 to 93.5 dB measured): a change
 * that loses the margin (a shorter stage, a coarser intermediate) shows here first.
 */
const DESIGN_REJECTION_DB = 92;
const FLAT_DB = 0.1;

function ours(x: Float32Array, inRate: number): Float32Array {
  const r = new StreamingResampler(inRate, OUT);
  return concatF32([r.process(x), r.flush()]);
}

/** A cosine with a phase offset, so a tone exactly at the output's Nyquist does not sample to zeros. */
function tone(rate: number, f: number, seconds = 1): Float32Array {
  const x = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < x.length; i++) x[i] = AMP * Math.cos((2 * Math.PI * f * i) / rate + 0.3);
  return x;
}

function whiteNoise(rate: number, seed: number): Float32Array {
  const next = lcg(seed);
  return Float32Array.from({ length: rate }, () => (next() - 0.5) * 0.5);
}

/** The middle of a 1 s output (edges hold the start-up of each filter). */
const FROM = 1600, TO = 14000;

describe('media/audio StreamingResampler against libsamplerate and sox', function () {
  this.timeout(120000);

  for (const inRate of [44100, 48000, 22050, 8000]) {
    const passEdge = Math.min(inRate, OUT) * 0.4375; // 7 kHz at 16 kHz out, 3.5 kHz for 8 kHz in
    const stopEdge = Math.min(inRate, OUT) / 2;
    const tones = inRate === 8000 ? UP_TONES : TONES.filter((f) => f < inRate / 2);

    it(`${inRate} Hz tones: flat to ${passEdge} Hz, nothing but the tone (≥ ${DESIGN_REJECTION_DB} dB down), the oracles' output`, async () => {
      const ref = AMP * Math.SQRT1_2;
      let worst = -Infinity;
      for (const f of tones) {
        const x = tone(inRate, f);
        const y = ours(x, inRate);
        assert.equal(y.length, OUT);
        const fit = fitTone(y, OUT, f, FROM, TO);
        const spurious = db(fit.restRms / ref);
        // Aliases (down-sampling) or images (up-sampling): whatever is not the tone itself.
        assert.ok(spurious <= -DESIGN_REJECTION_DB, `${f} Hz: ${spurious.toFixed(1)} dB of aliases/images`);
        worst = Math.max(worst, spurious);
        if (f >= stopEdge) continue; // the whole output was the alias, checked above
        const gain = db(fit.amplitude / AMP);
        if (f <= passEdge) assert.ok(Math.abs(gain) <= FLAT_DB, `${f} Hz: gain ${gain.toFixed(3)} dB`);
        else assert.ok(gain < FLAT_DB && gain > -40, `${f} Hz (transition band): gain ${gain.toFixed(2)} dB`);
      }
      console.log(`      ${inRate} Hz: aliases/images at most ${worst.toFixed(1)} dB`);
      // Where both promise the same (pass band, and stop band for down-sampling), we match the oracles sample
      // by sample: the difference is at least 80 dB below the tone.
      for (const f of tones.filter((t) => t <= passEdge || (inRate > OUT && t >= stopEdge))) {
        const x = tone(inRate, f);
        const y = ours(x, inRate);
        for (const [name, other] of [['libsamplerate', await libsamplerate(x, inRate, OUT)], ['sox', sox(x, inRate, OUT)]] as const) {
          const diff = new Float32Array(TO - FROM);
          for (let i = FROM; i < TO; i++) diff[i - FROM] = y[i] - other[i];
          const level = db(rms(diff) / ref);
          assert.ok(level <= -REJECTION_DB, `${f} Hz: ours vs ${name} differ by ${level.toFixed(1)} dB`);
        }
      }
    });

    it(`${inRate} Hz white noise: matches both oracles below ${0.4 * Math.min(inRate, OUT)} Hz (> 90 dB SNR)`, async () => {
      const x = whiteNoise(inRate, 7);
      const y = ours(x, inRate);
      const band = 0.4 * Math.min(inRate, OUT);
      const a = lowPass(y, OUT, band);
      for (const [name, other] of [['libsamplerate', await libsamplerate(x, inRate, OUT)], ['sox', sox(x, inRate, OUT)]] as const) {
        const b = lowPass(other, OUT, band);
        const { snr } = compare(b, a, FROM, TO);
        console.log(`      ${inRate} Hz: white noise below ${band} Hz matches ${name} to ${snr.toFixed(1)} dB`);
        assert.ok(snr > 90, `vs ${name}: ${snr.toFixed(1)} dB`);
      }
    });

    it(`${inRate} Hz white noise: what lies at or above ${stopEdge} Hz leaves ≥ ${DESIGN_REJECTION_DB} dB less (the oracles ≥ ${REJECTION_DB})`, async () => {
      const noise = whiteNoise(inRate, 11);
      if (inRate > OUT) {
        // Noise with nothing below 8.1 kHz (the test's own 100 dB high-pass, transition 8.1-8.5 kHz).
        const low = lowPass(noise, inRate, 8300);
        const high = Float32Array.from(noise, (v, i) => v - low[i]);
        const level = rms(high, inRate * 0.1, inRate * 0.9);
        const out = (y: Float32Array) => db(rms(y, FROM, TO) / level);
        const got = out(ours(high, inRate));
        console.log(`      ${inRate} Hz: noise above 8.1 kHz leaves ${got.toFixed(1)} dB`);
        assert.ok(got <= -DESIGN_REJECTION_DB, `ours: ${got.toFixed(1)} dB`);
        // The oracles agree the input had nothing a 16 kHz signal may keep.
        assert.ok(out(await libsamplerate(high, inRate, OUT)) <= -REJECTION_DB, 'libsamplerate keeps it too');
        assert.ok(out(sox(high, inRate, OUT)) <= -REJECTION_DB, 'sox keeps it too');
      } else {
        // Up-sampling: the output above the input's Nyquist holds only images; measured above 4.2 kHz (the
        // test's own high-pass passes everything above 4.22 kHz and removes everything below 4.09 kHz by 100 dB).
        const y = ours(noise, inRate);
        const low = lowPass(y, OUT, 4150);
        const images = Float32Array.from(y, (v, i) => v - low[i]);
        const got = db(rms(images, FROM, TO) / rms(noise, 800, 7200));
        console.log(`      ${inRate} Hz: images above 4.2 kHz ${got.toFixed(1)} dB`);
        assert.ok(got <= -DESIGN_REJECTION_DB, `images: ${got.toFixed(1)} dB`);
      }
    });
  }
});
