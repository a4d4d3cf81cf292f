/**
 * The one error type of the image code: the input cannot be turned into a JPEG the service accepts.
 * Callers (the image-in node) show its message to the user as-is, so messages say what was wrong and
 * what would be accepted; they never carry stack-trace-only detail.
 */
export class ImageFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageFormatError';
  }
}
