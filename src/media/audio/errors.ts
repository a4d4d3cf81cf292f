/**
 * The one error type of the audio code. Callers (the audio-in node) show `message` to the flow author as
 * is, so every message says what was wrong and what would have been accepted.
 */
export type AudioErrorCode =
  /** The bytes end before the header does: a stream may still complete it. */
  | 'TRUNCATED'
  /** A real, recognised format that this package does not decode (MP3, A-law, 64-bit float...). */
  | 'UNSUPPORTED'
  /** Bytes or values that make no sense as audio (0 channels, NaN samples, an object payload...). */
  | 'INVALID';

export class AudioFormatError extends Error {
  readonly code: AudioErrorCode;

  constructor(message: string, code: AudioErrorCode = 'INVALID') {
    super(message);
    this.name = 'AudioFormatError';
    this.code = code;
  }
}
