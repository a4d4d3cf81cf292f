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
}

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
