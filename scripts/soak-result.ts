/**
 * The soak's result record (what scripts/soak.ts writes as JSON and scripts/soak-publish.ts turns into the
 * docs' figures) and the summary it prints.
 */
import { machineInfo, type MachineInfo } from '../bench/stats';
import { soakFailures } from './soak-verdict';

/** The settings a soak runs with; the docs publish only a run with the defaults. */
export interface SoakSettings {
  hours: number;
  sessions: number;
  /** Simulated minutes of the first pass that measures the speed-up. */
  calibrationMinutes: number;
  /** No translated speech (faster). */
  textOnly: boolean;
}

export const DEFAULT_SETTINGS: SoakSettings = { hours: 8, sessions: 2, calibrationMinutes: 30, textOnly: false };

/** The settings from the environment (SOAK_HOURS, SOAK_SESSIONS, SOAK_CALIBRATION_MINUTES, SOAK_TEXT_ONLY=1). */
export function settingsFromEnv(env: NodeJS.ProcessEnv): SoakSettings {
  return {
    hours: Number(env.SOAK_HOURS) || DEFAULT_SETTINGS.hours,
    sessions: Number(env.SOAK_SESSIONS) || DEFAULT_SETTINGS.sessions,
    calibrationMinutes: Number(env.SOAK_CALIBRATION_MINUTES) || DEFAULT_SETTINGS.calibrationMinutes,
    textOnly: env.SOAK_TEXT_ONLY === '1',
  };
}

export interface Sample { simHours: number; wallS: number; rssMB: number; heapMB: number; externalMB: number; arrayBuffersMB: number }

export interface ClientStats {
  audioFramesAppended: number; audioFramesDropped: number; audioFramesSent: number; audioFramesFailed: number; rotations: number; connects: number;
}

export type SoakResult = ReturnType<typeof soakResult>;

const round1 = (n: number) => Math.round(n * 10) / 10;
const sum = (stats: ClientStats[], f: (s: ClientStats) => number) => stats.reduce((n, s) => n + f(s), 0);

/**
 * The result of a run: its settings, the machine, the counts summed over the sessions, memory growth after
 * GC from the end of simulated hour 1 (warm-up) to the end, and the verdict.
 */
export function soakResult(run: {
  settings: SoakSettings; /** machineInfo() when the soak started (its load average then). */ machine: MachineInfo; wallSeconds: number; translations: number; messages: number; clientStats: ClientStats[]; samples: Sample[];
}) {
  const { settings, samples, clientStats: stats } = run;
  const base = samples.find((s) => s.simHours >= 1) || samples[0];
  const last = samples[samples.length - 1];
  const rssGrowthFromHour1 = settings.hours > 1 ? round1(last.rssMB - base.rssMB) : undefined;
  const failures = soakFailures({ simulatedHours: settings.hours, clientStats: stats, rssGrowthFromHour1MB: rssGrowthFromHour1 });
  return {
    date: new Date().toISOString(),
    node: process.version,
    machine: run.machine,
    loadAverageAtEnd: machineInfo().loadAverage,
    simulatedHoursPerSession: settings.hours,
    sessions: settings.sessions,
    calibrationMinutes: settings.calibrationMinutes,
    textOnly: settings.textOnly,
    wallSeconds: Math.round(run.wallSeconds),
    speedup: Math.round((settings.hours * 3600) / run.wallSeconds),
    rotationEverySimulatedMinutes: 110,
    translations: run.translations,
    messages: run.messages,
    framesAppended: sum(stats, (s) => s.audioFramesAppended),
    framesSent: sum(stats, (s) => s.audioFramesSent),
    framesDropped: sum(stats, (s) => s.audioFramesDropped + s.audioFramesFailed),
    rotations: sum(stats, (s) => s.rotations),
    connections: sum(stats, (s) => s.connects),
    growthFromStart: { rssMB: round1(last.rssMB - samples[0].rssMB), heapMB: round1(last.heapMB - samples[0].heapMB) },
    growthFromHour1: { rssMB: rssGrowthFromHour1 ?? 0, heapMB: round1(last.heapMB - base.heapMB), externalMB: round1(last.externalMB - base.externalMB) },
    failures,
    clientStats: stats,
    samples,
  };
}

/** The lines printed at the end of a run. */
export function summary(r: SoakResult, file: string): string {
  return `\nsoak: ${r.simulatedHoursPerSession} simulated hours x ${r.sessions} sessions in ${r.wallSeconds} s (${r.speedup}x), `
    + `${r.translations} translations, ${r.rotations} rotations, ${r.connections} connections\n`
    + `audio frames: ${r.framesAppended} handed over, ${r.framesSent} sent, ${r.framesDropped} dropped or failed\n`
    + `growth after GC from hour 1 to hour ${r.simulatedHoursPerSession}: RSS ${r.growthFromHour1.rssMB} MB, heap ${r.growthFromHour1.heapMB} MB, external ${r.growthFromHour1.externalMB} MB\n`
    + `written to ${file}\n`
    + (r.failures.length ? `SOAK FAILED:\n  ${r.failures.join('\n  ')}\n` : 'soak passed: no frame dropped, memory flat\n');
}
