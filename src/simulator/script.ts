/**
 * Where replies come from: a script (per utterance, what was heard and what is said back), then a
 * generic default that still says something useful (which utterance, how long it was).
 *
 * The script is a loop, not a tape that runs out: each session goes through its entries in order
 * and starts again at the first after the last, so playing a recording again gives its real lines
 * again. An entry may name a `scene`: it answers only after an image of that scene was seen (see
 * scenes.ts), and it wins over the entries that name none.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ScriptedReply } from './types';

function checkEntry(e: unknown, i: number, path: string): ScriptedReply {
  const o = e as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || typeof o.transcript !== 'string' || typeof o.translation !== 'string') {
    throw new Error(`${path}: entry ${i} must be an object with string "transcript" and "translation"`);
  }
  for (const k of ['language', 'scene']) {
    if (o[k] !== undefined && typeof o[k] !== 'string') throw new Error(`${path}: entry ${i}: "${k}" must be a string`);
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
  if (typeof o.scene === 'string') r.scene = o.scene;
  return r;
}

/** A parsed script: the replies, and the scenes' reference image files (absolute paths) by name. */
export interface ScriptFile { utterances: ScriptedReply[]; scenes: Record<string, string> }

/**
 * Parses a script: a JSON array of replies, or an object with an `utterances` array and optionally
 * `scenes` ({name: image file}, relative to the script's folder `base`).
 */
export function parseScriptFile(json: string, path = 'script', base = '.'): ScriptFile {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const obj = value as { utterances?: unknown; scenes?: unknown } | null;
  const list = Array.isArray(value) ? value : obj?.utterances;
  if (!Array.isArray(list)) throw new Error(`${path}: expected an array of replies or {"utterances": [...]}`);
  const scenes: Record<string, string> = {};
  const raw = Array.isArray(value) ? undefined : obj?.scenes;
  if (raw !== undefined) {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw) || Object.values(raw).some((v) => typeof v !== 'string')) {
      throw new Error(`${path}: "scenes" must map scene names to image files`);
    }
    for (const [name, file] of Object.entries(raw as Record<string, string>)) scenes[name] = resolve(base, file);
  }
  return { utterances: list.map((e, i) => checkEntry(e, i, path)), scenes };
}

export function parseScript(json: string, path = 'script'): ScriptedReply[] {
  return parseScriptFile(json, path).utterances;
}

export function loadScriptFile(path: string): ScriptFile {
  return parseScriptFile(readFileSync(path, 'utf8'), path, dirname(path));
}

export function loadScript(path: string): ScriptedReply[] {
  return loadScriptFile(path).utterances;
}

/** Several script files joined, in order, with their scenes' reference images read: SimulatorOptions' script and scenes. */
export function loadScripts(paths: readonly string[]): { script: ScriptedReply[]; scenes: Record<string, Buffer> } {
  const script: ScriptedReply[] = [];
  const scenes: Record<string, Buffer> = {};
  for (const path of paths) {
    const f = loadScriptFile(path);
    script.push(...f.utterances);
    for (const [name, file] of Object.entries(f.scenes)) scenes[name] = readFileSync(file);
  }
  return { script, scenes };
}

/** A scripted reply as spoken to one target language: its own translation when the script has one. */
export function replyFor(reply: ScriptedReply, target: string): ScriptedReply {
  const t = reply.translations && reply.translations[target];
  return t ? { ...reply, translation: t } : reply;
}

/** The reply for an utterance the script has no entry for. */
export function defaultReply(n: number, seconds: number, target: string): ScriptedReply {
  return { transcript: `(speech ${n}, ${seconds.toFixed(1)} s)`, translation: `[${target}] speech ${n}` };
}

/** Picks each utterance's entry for one session: in order, round and round, the scene's own entries first. */
export class ReplyPicker {
  private next = 0;

  constructor(private readonly script: readonly ScriptedReply[]) {}

  /** The next entry for an utterance heard after `scene` was seen, or undefined when none fits. */
  pick(scene: string | undefined): ScriptedReply | undefined {
    const n = this.script.length;
    const fits = (e: ScriptedReply) => (scene !== undefined && e.scene === scene);
    const wanted = this.script.some(fits) ? fits : (e: ScriptedReply) => e.scene === undefined;
    for (let k = 0; k < n; k++) {
      const i = (this.next + k) % n;
      if (wanted(this.script[i])) {
        this.next = (i + 1) % n;
        return this.script[i];
      }
    }
    return undefined;
  }
}
