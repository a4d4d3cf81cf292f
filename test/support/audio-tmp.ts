import { StreamingResampler } from '../../src/media/audio/resampler';
import { decodeInterleaved } from '../../src/media/audio/pcm';
import { parseWavHeader } from '../../src/media/audio/wav';
import { speechBuffer } from './fixtures';
// eslint-disable-next-line
const LSR = require('@alexanderolsen/libsamplerate-js');
(async () => {
  for (const rate of [44100, 22050, 48000, 8000]) {
    const wav = speechBuffer('The quick brown fox jumps over the lazy dog.', { rate, padEnd: 0.3, padStart: 0.2 });
    const h = parseWavHeader(wav);
    const x = decodeInterleaved(wav.subarray(h.dataOffset, h.dataOffset + (h.dataLength ?? wav.length)), h);
    const r = new StreamingResampler(rate, 16000);
    const a = r.process(x); const b = r.flush();
    const ours = new Float32Array(a.length + b.length); ours.set(a); ours.set(b, a.length);
    for (const mode of ['simple', 'full']) {
      const src = await LSR.create(1, rate, 16000, { converterType: LSR.ConverterType.SRC_SINC_BEST_QUALITY });
      const ref: Float32Array = mode === 'simple' ? src.simple(x) : src.full(x);
      src.destroy();
      let best = { lag: 0, snr: -Infinity, maxd: 0 };
      for (let lag = -80; lag <= 80; lag++) {
        let s = 0, d = 0, maxd = 0;
        for (let i = 200; i < ours.length - 200; i++) { const j = i + lag; if (j < 0 || j >= ref.length) continue; s += ours[i] ** 2; const e = ours[i] - ref[j]; d += e * e; if (Math.abs(e) > maxd) maxd = Math.abs(e); }
        const snr = 10 * Math.log10(s / d); if (snr > best.snr) best = { lag, snr, maxd };
      }
      console.log(rate, mode, x.length, ours.length, ref.length, best);
    }
  }
})();
