import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An id in the service's format: a prefix (`event`, `sess`, `resp`, `item`, `conv`), `_`, 21 alphanumerics. */
export function makeId(prefix: 'event' | 'sess' | 'resp' | 'item' | 'conv'): string {
  const bytes = randomBytes(21);
  let s = prefix + '_';
  for (let i = 0; i < 21; i++) s += ALPHABET[bytes[i] % ALPHABET.length];
  return s;
}
