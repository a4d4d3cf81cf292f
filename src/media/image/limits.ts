/** Limits on what image in takes, checked before any decoding. */
/**
 * Largest source accepted, in pixels (40 Mpx: an 8K frame is 33 Mpx). Decoding takes 3 to 4 bytes a pixel
 * before any shrinking, so a 10000×10000 image would need ~300 MB; it is refused from its header instead.
 */
export const MAX_SOURCE_PIXELS = 40_000_000;
