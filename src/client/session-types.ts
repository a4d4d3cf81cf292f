/**
 * The public shape of a RealtimeSession: its options, states, counters and events.
 */
import type { ErrorDetail, ServerEvent, WireSessionConfig } from '../protocol';
import type { BackoffOptions } from './backoff';

export type SessionState = 'idle' | 'connecting' | 'open' | 'closing' | 'closed' | 'failed';

/** Why a session stopped; `retry` says whether reconnecting can help without a change. */
export interface StateReason {
  message: string;
  /** HTTP status of a refused upgrade, WebSocket close code, or the service's error code. */
  code?: string | number;
  retry: boolean;
  /** When a retry is scheduled: when it will be made (epoch ms). */
  retryAt?: number;
  /** When a retry is scheduled: how many attempts in a row have failed so far. */
  attempts?: number;
}

export interface RealtimeSessionOptions {
  /** `cn`, `intl` or a ws(s):// URL. */
  endpoint: string;
  model?: string;
  apiKey: string;
  config: WireSessionConfig;
  /** Permit plain ws:// to a host other than loopback (the key would travel in clear). */
  allowInsecure?: boolean;
  /** Reconnect by itself after an unexpected drop (default true). */
  reconnect?: boolean;
  backoff?: BackoffOptions;
  /** Bytes of audio kept while the socket is down or backed up (default 160000 = 5 s of 16 kHz PCM16). */
  maxQueuedAudioBytes?: number;
  /**
   * Back-pressure: while the socket holds more than this many bytes not yet handed to the network
   * (`bufferedAmount`), audio waits in the bounded queue above instead of piling up in the socket
   * (default 131072, about 3 s of appends).
   */
  maxSocketBufferBytes?: number;
  /** How long to wait for session.finished after session.finish (default 10 s). */
  finishTimeoutMs?: number;
  /** Handshake plus session.updated must arrive within this (default 15 s). */
  connectTimeoutMs?: number;
  /** Ping period; a connection with no traffic for two periods is dropped (default 30 s). */
  keepAliveMs?: number;
  /** Largest server frame accepted (default 8 MiB); a larger one ends the connection (1009). */
  maxFrameBytes?: number;
  /**
   * Rotate the connection (session.finish, then a new session with the same configuration) after
   * this long, before the service's maximum session length ends it (default 110 min; 0 = never).
   */
  maxSessionMs?: number;
  userAgent?: string;
}

export interface SessionStats {
  /** Frames (appendAudio calls) and bytes handed to the client. */
  audioFramesAppended: number;
  audioBytesAppended: number;
  /** Written to a socket. */
  audioFramesSent: number;
  audioBytesSent: number;
  /** Kept for compatibility: the same as audioFramesSent. */
  audioAppends: number;
  /** Dropped by the buffer bound, or still queued when the session was disposed. */
  audioFramesDropped: number;
  audioBytesDropped: number;
  /** Written, but the write failed (the socket died under it): not received. */
  audioFramesFailed: number;
  /** Written to a connection that ended without session.finished: possibly lost in flight. */
  audioFramesUnconfirmed: number;
  imagesAppended: number;
  imagesSent: number;
  /** The tokens the written images are billed (as the caller estimated them in appendImage). */
  imageTokensSent: number;
  /** Replaced by a newer frame while waiting, or discarded by dispose(). */
  imagesDropped: number;
  connects: number;
  /** Connections rotated because of maxSessionMs. */
  rotations: number;
}

/** What one drop was: a delta, for the events output and the status. */
export interface DropReport {
  audioFrames: number;
  audioBytes: number;
  images: number;
  reason: 'buffer-full' | 'send-failed' | 'disposed' | 'replaced';
}

/** One WebSocket connection's traffic; mutated until its last write callback has run. */
export interface ConnectionRecord {
  /** The service's session id (from session.created), once known. */
  sessionId?: string;
  audioFramesWritten: number;
  audioBytesWritten: number;
  audioFramesFailed: number;
  imagesWritten: number;
  /** session.finished arrived: everything written before session.finish reached the service. */
  finished: boolean;
  closed: boolean;
  closeCode?: number;
}

export interface RealtimeSessionEvents {
  state: (state: SessionState, reason?: StateReason) => void;
  /** Every well-formed server event, typed. */
  event: (event: ServerEvent) => void;
  /** A frame with a type this client does not know (passed on, not an error). */
  unknown: (type: string, raw: Record<string, unknown>) => void;
  /** A problem that did not end the session: a bad frame, a server `error` event, a drop. */
  problem: (message: string, detail?: ErrorDetail) => void;
  /** Audio or images that will never reach the service. */
  dropped: (report: DropReport) => void;
  /** A new connection attempt (its record fills in as it runs). */
  connection: (record: ConnectionRecord) => void;
}
