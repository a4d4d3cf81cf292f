/**
 * The session's bookkeeping of what it was given and what became of it (docs/reliability.md):
 * every audio frame handed to the client ends up sent, dropped (and reported) or still queued;
 * frames written to a connection that ended without session.finished are "unconfirmed"; images
 * and their billed tokens are counted when they are actually written to a socket.
 */
import { AUDIO_TOKENS_PER_SECOND, INPUT_SAMPLE_RATE } from '../protocol/catalog';
import type { ConnectionRecord, DropReport, SessionStats } from './session-types';

/** What a session has sent, in the tokens the service bills for it (an estimate made on our side). */
export interface SentEstimate {
  /** Seconds of 16 kHz mono PCM16 written. */
  audioSeconds: number;
  audioTokens: number;
  images: number;
  imageTokens: number;
  /** audioTokens + imageTokens. */
  tokens: number;
}

export class AudioLedger {
  readonly stats: SessionStats = {
    audioFramesAppended: 0, audioBytesAppended: 0, audioFramesSent: 0, audioBytesSent: 0, audioAppends: 0,
    audioFramesDropped: 0, audioBytesDropped: 0, audioFramesFailed: 0, audioFramesUnconfirmed: 0,
    imagesAppended: 0, imagesSent: 0, imageTokensSent: 0, imagesDropped: 0, connects: 0, rotations: 0,
  };

  /** @param report told of every drop (a delta), e.g. to emit the session's `dropped` event */
  constructor(private readonly report: (r: DropReport) => void) {}

  appended(bytes: number): void {
    this.stats.audioFramesAppended++;
    this.stats.audioBytesAppended += bytes;
  }

  dropped(frames: number, bytes: number, reason: DropReport['reason']): void {
    if (frames <= 0) return;
    this.stats.audioFramesDropped += frames;
    this.stats.audioBytesDropped += bytes;
    this.tell({ audioFrames: frames, audioBytes: bytes, images: 0, reason });
  }

  imagesDropped(n: number, reason: DropReport['reason']): void {
    this.stats.imagesDropped += n;
    this.tell({ audioFrames: 0, audioBytes: 0, images: n, reason });
  }

  /** A frame written to `conn`; returns what to call if the write then fails. */
  audioWritten(conn: ConnectionRecord, bytes: number): () => void {
    this.stats.audioFramesSent++;
    this.stats.audioAppends++;
    this.stats.audioBytesSent += bytes;
    conn.audioFramesWritten++;
    conn.audioBytesWritten += bytes;
    return () => {
      conn.audioFramesFailed++;
      this.stats.audioFramesFailed++;
      // Counted as unconfirmed when its connection closed first; now it is known to be lost.
      if (conn.closed && !conn.finished) this.stats.audioFramesUnconfirmed--;
    };
  }

  imageWritten(conn: ConnectionRecord, tokens: number): void {
    conn.imagesWritten++;
    this.stats.imagesSent++;
    this.stats.imageTokensSent += Number.isFinite(tokens) && tokens > 0 ? tokens : 0;
  }

  /** A connection ended; what it wrote without a session.finished is unconfirmed. */
  closed(conn: ConnectionRecord, code?: number): void {
    if (conn.closed) return;
    conn.closed = true;
    conn.closeCode = code;
    if (!conn.finished) this.stats.audioFramesUnconfirmed += conn.audioFramesWritten - conn.audioFramesFailed;
  }

  private tell(r: DropReport): void {
    try {
      this.report(r);
    } catch {
      // A listener must not break the accounting.
    }
  }
}

/** The billed tokens of what a session wrote: 12.5 per second of audio, the images' own estimate. */
export function sentEstimate(stats: Pick<SessionStats, 'audioBytesSent' | 'imagesSent' | 'imageTokensSent'>): SentEstimate {
  const audioSeconds = (stats.audioBytesSent || 0) / 2 / INPUT_SAMPLE_RATE;
  const audioTokens = round2(audioSeconds * AUDIO_TOKENS_PER_SECOND);
  const imageTokens = stats.imageTokensSent || 0;
  return { audioSeconds: round2(audioSeconds), audioTokens, images: stats.imagesSent || 0, imageTokens, tokens: round2(audioTokens + imageTokens) };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
