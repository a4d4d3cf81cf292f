/**
 * A local simulator of qwen3-livetranslate-flash-realtime (docs/protocol.md): the same handshake,
 * events, turn detection, usage and validation errors, with scripted replies. No Node-RED here.
 */
export { Simulator, REALTIME_PATH } from './server';
export { loadScript, loadScripts, loadScriptFile, parseScript, parseScriptFile, defaultReply, type ScriptFile } from './script';
export type { ScriptedReply, SimulatorOptions, SimSessionRecord, SimUtterance, SimFaults, UpgradeFault } from './types';
export { INJECTABLE_ERRORS, type InjectableError } from './faults';
export { DEFAULT_VARIANTS, type SimVariants, type ReplyPace } from './variants';
export type { PartialStyle } from './partials';
