/**
 * How a rate pair is split into filter stages. Every stage's cost is its output rate times its taps, and a
 * stage's taps grow with its input rate divided by its transition width. Converting 48 kHz to 16 kHz in one
 * stage needs the narrow 7-8 kHz transition at 48 kHz (288 taps per output); halving the rate first with a
 * short filter (only what would fold into 0-8 kHz must go, so its transition is 7-16 kHz: 48 taps per 24 kHz
 * output) moves the narrow transition to 24 kHz, where it takes half the taps (144 per 16 kHz output): three
 * quarters of the multiply-adds. The plan is whichever chain of halvings (possibly none) followed by one
 * rational stage needs the fewest multiply-adds per second.
 */
import { kaiserSize, PASS_EDGE, type StageSpec, STOP_EDGE, STOPBAND_DB } from './sinc-filter';

/**
 * A halving stage is designed for more attenuation than a direct one: its pass band ripple adds to the next
 * stage's, and a short filter pays little for the extra taps (at 110 dB, 48 taps for 48 and 44.1 kHz input).
 * Designed for 90 dB, it made the output below 6.4 kHz differ from libsamplerate's and sox's by -84 dB
 * (white noise) instead of the single stage's -102 dB; at 110 dB the difference is back to -102 dB.
 */
const HALVING_STOPBAND_DB = 110;

/** Stages cheaper by less than this fraction are not worth the extra stage (more state, more rounding). */
const MIN_SAVING = 0.1;

/** The stage that converts directly, as a single-stage resampler does: flat to 7/16 and stopping at 1/2 of the lower rate. */
export function directStage(inRate: number, outRate: number): StageSpec {
  const low = Math.min(inRate, outRate);
  return { inRate, outRate, passHz: PASS_EDGE * low, stopHz: STOP_EDGE * low, stopbandDb: STOPBAND_DB };
}

/** Halving `inRate` on the way to `outRate`: keep the final pass band, reject only what would fold into it. */
function halvingStage(inRate: number, outRate: number): StageSpec {
  const half = inRate / 2;
  return { inRate, outRate: half, passHz: PASS_EDGE * outRate, stopHz: half - STOP_EDGE * outRate, stopbandDb: HALVING_STOPBAND_DB };
}

function cost(stages: StageSpec[]): number {
  let macs = 0;
  for (const s of stages) macs += s.outRate * kaiserSize(s).taps;
  return macs;
}

/** The stages for a rate pair: halvings of an even input rate while they pay, then one rational stage. */
export function planStages(inRate: number, outRate: number): StageSpec[] {
  const direct = [directStage(inRate, outRate)];
  if (inRate % 2 !== 0 || inRate / 2 <= outRate) return direct;
  const halved = [halvingStage(inRate, outRate), ...planStages(inRate / 2, outRate)];
  return cost(halved) < (1 - MIN_SAVING) * cost(direct) ? halved : direct;
}
