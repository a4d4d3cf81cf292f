/** What the nodes using a livetranslate-session see of it. */
import type { Node } from 'node-red';
import type { RealtimeSession, SessionState, StateReason } from '../client';

/** What never reached the service since the last report (and since the deploy), for the events output. */
export interface DropSummary {
  audioFrames: number;
  audioSeconds: number;
  images: number;
  /** Why: buffer-full (the socket was down longer than the buffer holds), send-failed, replaced, disposed. */
  reasons: string[];
  total: { audioFrames: number; audioSeconds: number; images: number; audioFramesUnconfirmed: number };
}
import type { ErrorDetail, ServerEvent, TranslateOptions } from '../protocol';

export interface SessionListener {
  event?(event: ServerEvent): void;
  state?(state: SessionState, reason?: StateReason): void;
  unknown?(type: string, raw: Record<string, unknown>): void;
  problem?(message: string, detail?: ErrorDetail): void;
  dropped?(summary: DropSummary): void;
}

export interface LiveTranslateSessionNode extends Node<{ apiKey?: string }> {
  /** Why this session cannot run (bad settings), or undefined. */
  readonly setupProblem: string | undefined;
  readonly options: TranslateOptions;
  readonly realtime: RealtimeSession | undefined;
  /** Adds a node whose status mirrors the session's; returns the function that removes it. */
  register(user: Node): () => void;
  subscribe(listener: SessionListener): () => void;
  /** Why input cannot be accepted now (failed session), or undefined. */
  inputRefusal(): string | undefined;
  /** Notes input (keeps an on-input session from idling out) and opens the session if needed. */
  touch(): void;
  /** Applies option changes at runtime; throws an Error naming every invalid option. */
  updateOptions(change: Record<string, unknown>): void;
  connectNow(): void;
  finish(): Promise<void>;
}

