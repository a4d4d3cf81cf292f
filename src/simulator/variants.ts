/**
 * The ways the real service may differ from the simulator's default behaviour, each one a switch,
 * so that clients can be tested against every variant the documents allow (docs/simulator.md).
 */
import { PARTIAL_STYLES, type PartialStyle } from './partials';

export type ReplyPace = 'simultaneous' | 'after-speech';

export interface SimVariants {
  /** How partial text grows: cumulative `text` (default), incremental `text`, or `…delta` events (translation). */
  partials?: PartialStyle;
  /** Send the tentative tail in `stash` (default true; false = no `stash` field). */
  stash?: boolean;
  /** After each response, a second one whose `*.done` is whitespace only, as trailing silence gives. */
  emptyFinal?: boolean;
  /** Each `*.done` (audio transcript or text) sent twice with the same response_id. */
  repeatDone?: boolean;
  /** The translation completes (response.done) before the source transcript's partials and `…completed`. */
  translationFirst?: boolean;
  /** The source transcription fails: `…transcription.failed` instead of partials and `…completed`. */
  transcriptionFails?: boolean;
  /**
   * 'simultaneous' (default): source and translation partials while speech continues, finals after it
   * ends, like the service's simultaneous interpretation. 'after-speech': the whole reply after the end.
   */
  pace?: ReplyPace;
  /** Speech between two updates while speech continues, in ms (default 1500). */
  updateEveryMs?: number;
}

export type ResolvedVariants = Required<SimVariants>;

export const DEFAULT_VARIANTS: ResolvedVariants = {
  partials: 'cumulative',
  stash: true,
  emptyFinal: false,
  repeatDone: false,
  translationFirst: false,
  transcriptionFails: false,
  pace: 'simultaneous',
  updateEveryMs: 1500,
};

/** The variants in force: the defaults overridden by the given ones, checked. */
export function resolveVariants(v: SimVariants = {}): ResolvedVariants {
  const r: ResolvedVariants = { ...DEFAULT_VARIANTS };
  for (const [k, value] of Object.entries(v)) if (value !== undefined) (r as unknown as Record<string, unknown>)[k] = value;
  if (PARTIAL_STYLES.indexOf(r.partials) < 0) throw new RangeError(`partials must be one of ${PARTIAL_STYLES.join(', ')}, got ${String(r.partials)}`);
  if (r.pace !== 'simultaneous' && r.pace !== 'after-speech') throw new RangeError(`pace must be simultaneous or after-speech, got ${String(r.pace)}`);
  if (!(r.updateEveryMs >= 200)) throw new RangeError(`updateEveryMs must be at least 200, got ${String(r.updateEveryMs)}`);
  return r;
}
