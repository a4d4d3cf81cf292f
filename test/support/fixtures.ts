/**
 * Real speech for tests, made with Debian's espeak-ng and sox (installed by .ci/run), cached in
 * test/fixtures/generated/ so each recording is synthesised once per machine. Test files run in
 * several processes at once: each writes under names of its own and renames the finished file
 * into place, so a reader never sees half a recording.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const GENERATED_DIR = join(__dirname, '..', 'fixtures', 'generated');

export interface SpeechOptions {
  /** Output sample rate (espeak-ng speaks at 22050 Hz; sox converts). */
  rate?: number;
  channels?: number;
  /** sox encoding: 'signed-integer' (default) or 'floating-point'. */
  encoding?: 'signed-integer' | 'floating-point';
  bits?: 8 | 16 | 24 | 32;
  /** Container: 'wav' (default) or 'raw' (headerless little-endian PCM). */
  type?: 'wav' | 'raw';
  /** espeak-ng voice, e.g. 'en', 'en-us', 'de'. */
  voice?: string;
  /** Seconds of silence appended after the speech. */
  padEnd?: number;
  /** Seconds of silence put before the speech. */
  padStart?: number;
}

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Path of a recording of `text` spoken by espeak-ng, in the format asked for. */
export function speechFile(text: string, opts: SpeechOptions = {}): string {
  const o = { rate: 22050, channels: 1, encoding: 'signed-integer', bits: 16, type: 'wav', voice: 'en', padEnd: 0, padStart: 0, ...opts };
  mkdirSync(GENERATED_DIR, { recursive: true });
  const key = createHash('sha1').update(JSON.stringify([text, o])).digest('hex').slice(0, 16);
  const out = join(GENERATED_DIR, `speech-${key}.${o.type}`);
  if (existsSync(out)) return out;
  const mine = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const spoken = join(GENERATED_DIR, `espeak-${key}.${mine}.wav`);
  const tmp = join(GENERATED_DIR, `speech-${key}.${mine}.tmp.${o.type}`);
  try {
    run('espeak-ng', ['-v', o.voice, '-s', '150', '-w', spoken, text]);
    const effects: string[] = ['rate', '-v', String(o.rate), 'channels', String(o.channels)];
    if (o.padStart || o.padEnd) effects.push('pad', String(o.padStart), String(o.padEnd));
    run('sox', [spoken, '-t', o.type, '-e', o.encoding, '-b', String(o.bits), '-L', tmp, ...effects]);
    renameSync(tmp, out);
  } finally {
    rmSync(spoken, { force: true });
    rmSync(tmp, { force: true });
  }
  return out;
}

export function speechBuffer(text: string, opts: SpeechOptions = {}): Buffer {
  return readFileSync(speechFile(text, opts));
}

/** Duration in seconds of a file as sox reads it. */
export function soxDuration(path: string): number {
  return Number(execFileSync('soxi', ['-D', path]).toString().trim());
}
