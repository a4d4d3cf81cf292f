/**
 * The simulator's public shapes. Kept apart from the server so that tests and the CLI can import
 * them without pulling in `ws`.
 */
import type { WireSessionConfig } from '../protocol/catalog';
import type { SimVariants } from './variants';

/** One scripted answer: what the "service" heard and what it says back. */
export interface ScriptedReply {
  transcript: string;
  translation: string;
  /** Translations by target language; the one for the session's target wins over `translation`. */
  translations?: Record<string, string>;
  /** Source language reported in the transcription events (defaults to the configured one). */
  language?: string;
  /** Used only after an image of this scene was seen (SimulatorOptions.scenes); wins over entries without one. */
  scene?: string;
}

/**
 * Faults to inject, for client robustness tests. Read live: a test may change a field of the
 * object it passed in and the next connection or event sees it.
 */
export interface SimFaults {
  /** Every upgrade is refused with 401 (or the status given: 401 or 403), whatever the key. */
  refuseAuth?: boolean | 401 | 403;
  /** Every upgrade is refused with this HTTP status (e.g. 429, 500, 503) and a JSON body. */
  refuseUpgrade?: number;
  /** Every upgrade is accepted and then nothing is ever sent (no session.created) nor read. */
  silent?: boolean;
  /** Every upgrade request is left hanging: the TCP connection stays open, no HTTP answer comes. */
  hangUpgrade?: boolean;
  /** Close a session this long after it opened (a maximum session length): `error` then close 1000. */
  maxSessionMs?: number;
  /** Terminate a session's socket (no close frame) once it has been sent this many events. */
  dropAfterEvents?: number;
  /** Extra delay in ms before each step of a reply (also in fast mode: then timers are used). */
  delayMs?: number;
  /**
   * Close a session that has produced no response for this long, as the service does after about
   * 300 s (an `error` with code `response_idle_timeout`, then a close). Off unless set; read when
   * a session opens and each time its idle clock restarts.
   */
  idleTimeoutMs?: number;
}

/** A fault for one coming upgrade (Simulator.armUpgrade), instead of the session. */
export type UpgradeFault =
  | { kind: 'refuse'; status: number }
  | { kind: 'silent' }
  | { kind: 'hang' };

export interface SimulatorOptions {
  /** 0 = random free port (default 0). */
  port?: number;
  /** Default '127.0.0.1' (loopback only by default). */
  host?: string;
  /** When set, the bearer key must equal it; when unset any non-empty bearer key is accepted. */
  apiKey?: string;
  /** Replies used for utterances in order, round and round (without a script: the generic default reply). */
  script?: ScriptedReply[];
  /** Reference images (any format sharp reads) by scene name: an image that looks like one sets the session's scene. */
  scenes?: Record<string, Buffer>;
  /** How the replies differ from the default behaviour (partial style, pace…; see SimVariants). */
  variants?: SimVariants;
  /** Trailing silence that ends an utterance (default 800). */
  silenceMs?: number;
  /** RMS energy threshold in dBFS for the energy VAD (default -45). */
  speechThreshold?: number;
  /** Default true: reply events are spaced like the service; false = all at once (tests). */
  realtime?: boolean;
  /** Optional logger; never given the key. */
  log?: (line: string) => void;
  /** Optional fault injection (extension; see SimFaults). */
  faults?: SimFaults;
  /** Largest client frame accepted (default 16 MiB); a larger one closes the socket with 1009. */
  maxFrameBytes?: number;
}

export interface SimUtterance {
  startMs: number;
  endMs: number;
  reply: ScriptedReply;
}

export interface SimSessionRecord {
  /** sess_… */
  id: string;
  /** Current merged config. */
  config: WireSessionConfig;
  /** Total PCM bytes appended. */
  audioBytesReceived: number;
  audioAppends: number;
  imagesReceived: number;
  imagesRejected: number;
  utterances: SimUtterance[];
  /** Types of the events sent, in order. */
  eventsSent: string[];
  /** Audio seconds billed (all appended audio). */
  billedAudioSeconds: number;
  closed: boolean;
  /** session.finished sent. */
  finished: boolean;
  /** The upgrade request's path and query, e.g. `/api-ws/v1/realtime?model=…&client=a`. */
  url: string;
  /** All appended PCM concatenated (for tests to check duration/content). */
  receivedAudio(): Buffer;
}
