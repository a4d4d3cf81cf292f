/** The audio in node's settings, read into what the uplink takes (blank or out-of-range values fall back). */
import type { NodeDef } from 'node-red';
import { GATE_DEFAULTS, UPLINK_DEFAULTS, type RawPcmFormat, type UplinkSettings } from '../media/audio';
import { INPUT_SAMPLE_RATE } from '../protocol';

export interface AudioInDef extends NodeDef {
  session: string;
  /** More sessions fed with the same converted audio (one per target language, say); blank = none. */
  session2?: string;
  session3?: string;
  sampleRate?: number | string;
  channels?: number | string;
  bitDepth?: number | string;
  encoding?: string;
  pacing?: 'auto' | 'realtime' | 'fast';
  endSilence?: number | string;
  finishAtEnd?: boolean;
  /** Seconds of audio a recording may queue ahead of real time. */
  maxQueue?: number | string;
  /** Silence gate: 'auto' (live input only: raw chunks without a WAV header or msg.parts), 'on', 'off'. */
  gate?: 'auto' | 'on' | 'off';
  gateThreshold?: number | string;
  preRoll?: number | string;
  hangOver?: number | string;
}

/** A number within [lo, hi], or `d` when blank or not a number. */
function clamp(v: unknown, d: number, lo: number, hi: number): number {
  const x = typeof v === 'string' && v.trim() === '' ? NaN : Number(v);
  return isFinite(x) ? Math.min(hi, Math.max(lo, x)) : d;
}

function rawDefaults(def: AudioInDef): RawPcmFormat {
  const n = (v: unknown, d: number) => (isFinite(Number(v)) && Number(v) > 0 ? Number(v) : d);
  return {
    sampleRate: n(def.sampleRate, INPUT_SAMPLE_RATE),
    channels: n(def.channels, 1),
    bitDepth: n(def.bitDepth, 16) as RawPcmFormat['bitDepth'],
    float: def.encoding === 'float',
  };
}

export function uplinkSettingsFrom(def: AudioInDef): UplinkSettings {
  return {
    defaults: rawDefaults(def),
    pacing: def.pacing === 'realtime' || def.pacing === 'fast' ? def.pacing : 'auto',
    gate: def.gate === 'on' || def.gate === 'off' ? def.gate : 'auto',
    gateOptions: {
      thresholdDb: clamp(def.gateThreshold, GATE_DEFAULTS.thresholdDb, -100, -10),
      // Settings in seconds, like End silence.
      preRollMs: clamp(def.preRoll, GATE_DEFAULTS.preRollMs / 1000, 0, 2) * 1000,
      hangOverMs: clamp(def.hangOver, GATE_DEFAULTS.hangOverMs / 1000, 0.5, 5) * 1000,
    },
    endSilenceSeconds: clamp(def.endSilence, UPLINK_DEFAULTS.endSilenceSeconds, 0, 5),
    maxQueueSeconds: clamp(def.maxQueue, UPLINK_DEFAULTS.maxQueueSeconds, 1, 3600),
    finishAtEnd: !!def.finishAtEnd,
  };
}
