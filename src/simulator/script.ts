/**
 * Where replies come from: a script (per utterance, what was heard and what is said back), then a
 * generic default that still says something useful (which utterance, how long it was).
 */
import { readFileSync } from 'node:fs';
import type { ScriptedReply } from './types';

function checkEntry(e: unknown, i: number, path: string): ScriptedReply {
  const o = e as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || typeof o.transcript !== 'string' || typeof o.translation !== 'string') {
    throw new Error(`${path}: entry ${i} must be an object with string "transcript" and "translation"`);
  }
  if (o.language !== undefined && typeof o.language !== 'string') {
    throw new Error(`${path}: entry ${i}: "language" must be a string`);
  }
  const r: ScriptedReply = { transcript: o.transcript, translation: o.translation };
  if (o.translations !== undefined) {
    const t = o.translations as Record<string, unknown> | null;
    if (!t || typeof t !== 'object' || Array.isArray(t) || Object.values(t).some((v) => typeof v !== 'string')) {
      throw new Error(`${path}: entry ${i}: "translations" must map language codes to strings`);
    }
    r.translations = t as Record<string, string>;
  }
  if (typeof o.language === 'string') r.language = o.language;
  return r;
}

/** Parses a script: a JSON array of replies, or an object with an `utterances` array. */
export function parseScript(json: string, path = 'script'): ScriptedReply[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const list = Array.isArray(value) ? value : (value as { utterances?: unknown } | null)?.utterances;
  if (!Array.isArray(list)) throw new Error(`${path}: expected an array of replies or {"utterances": [...]}`);
  return list.map((e, i) => checkEntry(e, i, path));
}

export function loadScript(path: string): ScriptedReply[] {
  return parseScript(readFileSync(path, 'utf8'), path);
}

/** A scripted reply as spoken to one target language: its own translation when the script has one. */
export function replyFor(reply: ScriptedReply, target: string): ScriptedReply {
  const t = reply.translations && reply.translations[target];
  return t ? { ...reply, translation: t } : reply;
}

/** The reply for an utterance with no script entry left. */
export function defaultReply(n: number, seconds: number, target: string): ScriptedReply {
  return { transcript: `(speech ${n}, ${seconds.toFixed(1)} s)`, translation: `[${target}] speech ${n}` };
}
