/**
 * The service's catalogue (languages, voices, defaults) and the one validation of a session
 * configuration used by the runtime, the editor and the simulator alike.
 *
 * This file must stay free of imports: the editor loads its compiled form in the browser as a
 * plain script (see livetranslate-session.ts, which serves it), so it can only use the language.
 */

export interface LanguageInfo {
  readonly code: string;
  readonly name: string;
  /** Whether translated speech (audio output) exists for this target language. */
  readonly speech: boolean;
}

/** The 18 languages of qwen3-livetranslate-flash-realtime, usable as source and target. */
export const LANGUAGES: readonly LanguageInfo[] = [
  { code: 'en', name: 'English', speech: true },
  { code: 'zh', name: 'Chinese (Mandarin)', speech: true },
  { code: 'ru', name: 'Russian', speech: true },
  { code: 'fr', name: 'French', speech: true },
  { code: 'de', name: 'German', speech: true },
  { code: 'pt', name: 'Portuguese', speech: true },
  { code: 'es', name: 'Spanish', speech: true },
  { code: 'it', name: 'Italian', speech: true },
  { code: 'ko', name: 'Korean', speech: true },
  { code: 'ja', name: 'Japanese', speech: true },
  { code: 'yue', name: 'Cantonese', speech: true },
  { code: 'id', name: 'Indonesian', speech: false },
  { code: 'vi', name: 'Vietnamese', speech: false },
  { code: 'th', name: 'Thai', speech: false },
  { code: 'ar', name: 'Arabic', speech: false },
  { code: 'hi', name: 'Hindi', speech: false },
  { code: 'el', name: 'Greek', speech: false },
  { code: 'tr', name: 'Turkish', speech: false },
];

export interface VoiceInfo {
  readonly name: string;
  readonly description: string;
  /** Target languages this voice can speak. */
  readonly languages: readonly string[];
}

const MULTILINGUAL = ['zh', 'en', 'fr', 'de', 'ru', 'it', 'es', 'pt', 'ja', 'ko'];

/** The 8 voices of qwen3-livetranslate-flash-realtime. */
export const VOICES: readonly VoiceInfo[] = [
  { name: 'Cherry', description: 'female', languages: MULTILINGUAL },
  { name: 'Nofish', description: 'male', languages: MULTILINGUAL },
  { name: 'Jada', description: 'Shanghai female', languages: ['zh'] },
  { name: 'Dylan', description: 'Beijing male', languages: ['zh'] },
  { name: 'Sunny', description: 'Sichuan female', languages: ['zh'] },
  { name: 'Peter', description: 'Tianjin male', languages: ['zh'] },
  { name: 'Kiki', description: 'Cantonese female', languages: ['yue'] },
  { name: 'Eric', description: 'Sichuan male', languages: ['zh'] },
];

export const DEFAULT_MODEL = 'qwen3-livetranslate-flash-realtime';
export const TRANSCRIPTION_MODEL = 'qwen3-asr-flash-realtime';
export const DEFAULT_VOICE = 'Cherry';
export const DEFAULT_LANGUAGE = 'en';

/** Input and output audio as the service wants them. */
export const INPUT_SAMPLE_RATE = 16000;
export const OUTPUT_SAMPLE_RATE = 24000;
export const INPUT_AUDIO_FORMATS = ['pcm16', 'pcm'];
export const OUTPUT_AUDIO_FORMATS = ['pcm24', 'pcm', 'pcm16'];

/** Image limits of input_image_buffer.append. */
export const IMAGE_MAX_BYTES = 500 * 1024;
export const IMAGE_MAX_WIDTH = 1920;
export const IMAGE_MAX_HEIGHT = 1080;
export const IMAGE_MAX_PER_SECOND = 2;

/** Published billing: tokens per second of audio (in or out) and per 28x28 px image tile. */
export const AUDIO_TOKENS_PER_SECOND = 12.5;
export const IMAGE_TOKENS_PER_TILE = 0.5;
export const IMAGE_TILE_PX = 28;

export function findLanguage(code: string): LanguageInfo | undefined {
  for (const l of LANGUAGES) if (l.code === code) return l;
  return undefined;
}

export function findVoice(name: string): VoiceInfo | undefined {
  for (const v of VOICES) if (v.name === name) return v;
  return undefined;
}

/** Voices that can speak the given target language. */
export function voicesFor(targetLanguage: string): VoiceInfo[] {
  return VOICES.filter((v) => v.languages.indexOf(targetLanguage) >= 0);
}

/** The session configuration as it travels in session.update (the service's field names). */
export interface WireSessionConfig {
  modalities?: string[];
  voice?: string;
  input_audio_format?: string;
  output_audio_format?: string;
  /** `model: null` in an update turns the transcript off (updates are merged field by field). */
  input_audio_transcription?: { model?: string | null; language?: string } | null;
  translation?: { language?: string; corpus?: { phrases?: Record<string, string> } };
  [extra: string]: unknown;
}

/** One reason a configuration is refused, in the shape of the service's `error` event. */
export interface ConfigProblem {
  /** Dotted path of the offending field, as the service's `error.param`. */
  param: string;
  /** The service's error code (`invalid_value`). */
  code: string;
  message: string;
}

function isModalities(m: unknown): m is string[] {
  return Array.isArray(m) && m.every((x) => typeof x === 'string');
}

/**
 * Checks a session configuration against the service's rules.
 * `current` is the configuration the update is merged into (the session's defaults for a new
 * session), so that e.g. a voice change is checked against the current target language.
 * Returns every problem found; an empty list means the configuration is accepted.
 */
export function validateSessionConfig(update: WireSessionConfig, current?: WireSessionConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (param: string, message: string) => problems.push({ param, code: 'invalid_value', message });
  const merged = mergeSessionConfig(current || defaultSessionConfig(), update);

  const m = merged.modalities;
  if (!isModalities(m)) {
    add('session.modalities', 'Invalid modalities: expected a list of strings.');
  } else {
    const sorted = m.slice().sort().join(',');
    if (sorted !== 'text' && sorted !== 'audio,text') {
      add('session.modalities',
        `Invalid modalities: ['${m.join("', '")}']. Supported combinations are: ['text'] and ['audio', 'text'].`);
    }
  }

  const target = merged.translation && merged.translation.language;
  const targetInfo = typeof target === 'string' ? findLanguage(target) : undefined;
  if (!targetInfo) {
    add('session.translation.language', `Unsupported target language: '${String(target)}'. Supported: ${LANGUAGES.map((l) => l.code).join(', ')}.`);
  }

  const asr = merged.input_audio_transcription;
  if (asr) {
    if (asr.language !== undefined && !findLanguage(String(asr.language))) {
      add('session.input_audio_transcription.language',
        `Unsupported source language: '${String(asr.language)}'. Supported: ${LANGUAGES.map((l) => l.code).join(', ')}.`);
    }
    if (asr.model !== undefined && asr.model !== null && asr.model !== TRANSCRIPTION_MODEL) {
      add('session.input_audio_transcription.model',
        `Unsupported transcription model: '${String(asr.model)}'. Supported: ${TRANSCRIPTION_MODEL}.`);
    }
  }

  if (merged.input_audio_format !== undefined && INPUT_AUDIO_FORMATS.indexOf(String(merged.input_audio_format)) < 0) {
    add('session.input_audio_format', `Unsupported input_audio_format: '${String(merged.input_audio_format)}'. Supported: pcm16.`);
  }
  if (merged.output_audio_format !== undefined && OUTPUT_AUDIO_FORMATS.indexOf(String(merged.output_audio_format)) < 0) {
    add('session.output_audio_format', `Unsupported output_audio_format: '${String(merged.output_audio_format)}'. Supported: pcm24.`);
  }

  const wantsAudio = isModalities(m) && m.indexOf('audio') >= 0;
  const voice = merged.voice;
  const voiceInfo = typeof voice === 'string' ? findVoice(voice) : undefined;
  if (!voiceInfo) {
    add('session.voice', `Voice '${String(voice)}' is not supported. Supported: ${VOICES.map((v) => v.name).join(', ')}.`);
  }
  if (wantsAudio && targetInfo && !targetInfo.speech) {
    add('session.modalities',
      `Audio output is not available for target language '${targetInfo.code}' (${targetInfo.name}); use modalities ['text'].`);
  } else if (wantsAudio && targetInfo && voiceInfo && voiceInfo.languages.indexOf(targetInfo.code) < 0) {
    add('session.voice',
      `Voice '${voiceInfo.name}' cannot speak '${targetInfo.code}' (${targetInfo.name}). Voices for it: ${voicesFor(targetInfo.code).map((v) => v.name).join(', ')}.`);
  }
  return problems;
}

/** The configuration a new session starts with (what session.created reports). */
export function defaultSessionConfig(): WireSessionConfig {
  return {
    modalities: ['text', 'audio'],
    voice: DEFAULT_VOICE,
    input_audio_format: 'pcm16',
    output_audio_format: 'pcm24',
    translation: { language: DEFAULT_LANGUAGE },
  };
}

/** Merges an update into a configuration the way session.update does: objects field by field. */
export function mergeSessionConfig(base: WireSessionConfig, update: WireSessionConfig): WireSessionConfig {
  const out: WireSessionConfig = {};
  for (const k of Object.keys(base)) out[k] = base[k];
  for (const k of Object.keys(update)) {
    const v = update[k];
    const prev = out[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)) {
      const merged: Record<string, unknown> = {};
      for (const pk of Object.keys(prev as object)) merged[pk] = (prev as Record<string, unknown>)[pk];
      for (const vk of Object.keys(v as object)) {
        // A field set to null is removed (e.g. the transcription model: the transcript is off).
        const val = (v as Record<string, unknown>)[vk];
        if (val === null) delete merged[vk];
        else merged[vk] = val;
      }
      out[k] = merged;
    } else if (v !== undefined) {
      out[k] = v;
    }
  }
  return out;
}

/** What a user configures, in the package's own words (the config node's settings). */
export interface TranslateOptions {
  sourceLanguage: string;
  targetLanguage: string;
  /** 'text' or 'text+audio' (translated speech as well as text). */
  output: 'text' | 'text+audio';
  voice: string;
  /** Ask for the source-language transcript as well. */
  transcription: boolean;
}

export const DEFAULT_OPTIONS: TranslateOptions = {
  sourceLanguage: 'en',
  targetLanguage: 'zh',
  output: 'text+audio',
  voice: DEFAULT_VOICE,
  transcription: true,
};

/** The session.update body for the user's options. */
export function toWireConfig(o: TranslateOptions): WireSessionConfig {
  const asr: { model?: string; language: string } = { language: o.sourceLanguage };
  if (o.transcription) asr.model = TRANSCRIPTION_MODEL;
  return {
    modalities: o.output === 'text' ? ['text'] : ['text', 'audio'],
    voice: o.voice,
    input_audio_format: 'pcm16',
    output_audio_format: 'pcm24',
    input_audio_transcription: asr,
    translation: { language: o.targetLanguage },
  };
}

/**
 * The session.update that takes a session from one set of options to another. Updates are merged
 * into the session's configuration field by field, so a field that must go (the transcription
 * model, when the transcript is turned off) is sent as null.
 */
export function wireUpdate(from: TranslateOptions, to: TranslateOptions): WireSessionConfig {
  const wire = toWireConfig(to);
  if (from.transcription && !to.transcription) wire.input_audio_transcription = { ...wire.input_audio_transcription, model: null };
  return wire;
}

/** Maps a problem's wire path to the user-facing option it comes from. */
const OPTION_OF_PARAM: Record<string, keyof TranslateOptions> = {
  'session.modalities': 'output',
  'session.voice': 'voice',
  'session.translation.language': 'targetLanguage',
  'session.input_audio_transcription.language': 'sourceLanguage',
};

export interface OptionProblem extends ConfigProblem {
  /** The user-facing option at fault, when there is one. */
  option?: keyof TranslateOptions;
}

/** Validates the user's options with the service's rules; each problem names the option at fault. */
export function validateOptions(o: TranslateOptions): OptionProblem[] {
  return validateSessionConfig(toWireConfig(o)).map((p) => ({ ...p, option: OPTION_OF_PARAM[p.param] }));
}
