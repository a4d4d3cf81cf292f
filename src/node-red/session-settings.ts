/**
 * The config node's settings, read and checked: what the editor saved, in the package's own
 * option names, with defaults for anything missing (flows written by hand or by older versions).
 */
import {
  DEFAULT_MODEL, DEFAULT_OPTIONS, validateOptions, type OptionProblem, type TranslateOptions,
} from '../protocol';

export interface SessionSettings {
  endpoint: string;
  model: string;
  options: TranslateOptions;
  connectMode: 'deploy' | 'input';
  idleTimeoutMs: number;
  allowInsecure: boolean;
  /** Audio kept while the connection is down (bytes of 16 kHz PCM16). */
  bufferBytes: number;
  /** Rotate the connection after this long (0 = never). */
  maxSessionMs: number;
  /** Timings for the client; only hand-written flows and tests set them (not in the editor). */
  tuning: ClientTuning;
}

/** Hidden settings (not in the edit dialog): tests and unusual networks only. */
export interface ClientTuning {
  backoff?: { initialMs: number; maxMs: number; stableMs: number };
  connectTimeoutMs?: number;
  keepAliveMs?: number;
  finishTimeoutMs?: number;
  maxFrameBytes?: number;
}

/** Default audio buffer while disconnected: 5 s. */
export const DEFAULT_BUFFER_SECONDS = 5;
/** Default rotation: 110 min, before the ~2 h limit seen on the service (docs/protocol.md §6). */
export const DEFAULT_MAX_SESSION_MINUTES = 110;
const BYTES_PER_SECOND = 16000 * 2;

export interface SessionNodeConfig {
  endpoint?: string;
  url?: string;
  model?: string;
  sourceLanguage?: string;
  targetLanguage?: string;
  output?: string;
  voice?: string;
  transcription?: boolean | string;
  connectMode?: string;
  idleTimeout?: number | string;
  allowInsecure?: boolean | string;
  /** Seconds of audio kept while disconnected (0–120). */
  bufferSeconds?: number | string;
  /** Minutes after which the session is rotated (0 = never). */
  maxSessionMinutes?: number | string;
  // hidden tuning (see ClientTuning)
  maxSessionMs?: number | string;
  backoffInitialMs?: number | string;
  backoffMaxMs?: number | string;
  backoffStableMs?: number | string;
  connectTimeoutMs?: number | string;
  keepAliveMs?: number | string;
  finishTimeoutMs?: number | string;
  maxFrameBytes?: number | string;
}

/** A finite number ≥ lo from a setting, or undefined. */
function numberSetting(v: unknown, lo = 0, hi = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return isFinite(n) && n >= lo ? Math.min(hi, n) : undefined;
}

function tuningFrom(c: SessionNodeConfig): ClientTuning {
  const t: ClientTuning = {};
  const initial = numberSetting(c.backoffInitialMs, 1);
  const max = numberSetting(c.backoffMaxMs, 1);
  const stable = numberSetting(c.backoffStableMs, 0);
  if (initial !== undefined || max !== undefined || stable !== undefined) {
    const i = initial ?? 1000;
    t.backoff = { initialMs: i, maxMs: Math.max(i, max ?? 30000), stableMs: stable ?? 60000 };
  }
  const ct = numberSetting(c.connectTimeoutMs, 50);
  if (ct !== undefined) t.connectTimeoutMs = ct;
  const ka = numberSetting(c.keepAliveMs, 20);
  if (ka !== undefined) t.keepAliveMs = ka;
  const ft = numberSetting(c.finishTimeoutMs, 10);
  if (ft !== undefined) t.finishTimeoutMs = ft;
  const mf = numberSetting(c.maxFrameBytes, 1024);
  if (mf !== undefined) t.maxFrameBytes = mf;
  return t;
}

function bool(v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null || v === '') return fallback;
  return v === true || v === 'true';
}

export function readSessionSettings(c: SessionNodeConfig): SessionSettings {
  const endpoint = c.endpoint === 'custom' ? String(c.url || '').trim() : (c.endpoint || 'intl');
  const idle = Number(c.idleTimeout);
  return {
    endpoint,
    model: (c.model && String(c.model).trim()) || DEFAULT_MODEL,
    options: optionsFrom(c, DEFAULT_OPTIONS),
    connectMode: c.connectMode === 'input' ? 'input' : 'deploy',
    idleTimeoutMs: (isFinite(idle) && idle > 0 ? idle : 60) * 1000,
    allowInsecure: bool(c.allowInsecure, false),
    bufferBytes: Math.round((numberSetting(c.bufferSeconds, 0, 120) ?? DEFAULT_BUFFER_SECONDS) * BYTES_PER_SECOND),
    maxSessionMs: numberSetting(c.maxSessionMs, 0) ?? (numberSetting(c.maxSessionMinutes, 0, 24 * 60) ?? DEFAULT_MAX_SESSION_MINUTES) * 60000,
    tuning: tuningFrom(c),
  };
}

/** Options from a partial object (node settings or msg.payload of an update), over a base. */
export function optionsFrom(src: Partial<Record<keyof TranslateOptions, unknown>>, base: TranslateOptions): TranslateOptions {
  const str = (v: unknown, d: string) => (typeof v === 'string' && v.trim() ? v.trim() : d);
  const output = str(src.output, base.output);
  return {
    sourceLanguage: str(src.sourceLanguage, base.sourceLanguage),
    targetLanguage: str(src.targetLanguage, base.targetLanguage),
    output: output === 'text' ? 'text' : output === 'text+audio' ? 'text+audio' : (output as TranslateOptions['output']),
    voice: str(src.voice, base.voice),
    transcription: bool(src.transcription, base.transcription),
  };
}

/** One sentence naming every problem, for an error message and the log. */
export function describeProblems(problems: OptionProblem[]): string {
  return problems.map((p) => (p.option ? `${p.option}: ` : '') + p.message).join(' ');
}

export { validateOptions };
