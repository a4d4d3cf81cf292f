/** What the nodes using a livetranslate-session see of it. */
import type { Node, NodeStatus } from 'node-red';
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

/** Whatever shows a session's status: a node, or a node that adds its own counts to it. */
export interface StatusSink {
  status(status: NodeStatus): void;
}

export interface LiveTranslateSessionNode extends Node<{ apiKey?: string }> {
  /** Why this session cannot run (bad settings), or undefined. */
  readonly setupProblem: string | undefined;
  readonly options: TranslateOptions;
  readonly realtime: RealtimeSession | undefined;
  /** Adds a status sink (a node, or a node's own status logic) that mirrors the session's status; returns its deregister, told whether the user was removed (the last removed user finishes the session) or redeployed. */
  register(user: StatusSink): (removed?: boolean) => void;
  subscribe(listener: SessionListener): () => void;
  /** Why input cannot be accepted now (failed session), or undefined. */
  inputRefusal(): string | undefined;
  /**
   * Notes input: re-arms the idle timer of an on-input session. It opens nothing: the audio or
   * image the input hands to the session wakes it (and waits while a retry is scheduled).
   */
  touch(): void;
  /** Applies option changes at runtime; throws an Error naming every invalid option. */
  updateOptions(change: Record<string, unknown>): void;
  connectNow(): void;
  finish(): Promise<void>;
}

