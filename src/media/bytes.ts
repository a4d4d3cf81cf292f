/**
 * Whether `b` holds the ASCII text `s` at `at`, compared byte by byte: the magic-number checks run on
 * every live audio chunk, and building a string from the bytes first would allocate each time.
 */
export function bytesAre(b: Uint8Array, at: number, s: string): boolean {
  if (at < 0 || b.length < at + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
}
