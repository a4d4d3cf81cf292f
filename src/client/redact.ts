/**
 * Masking the API key in everything that leaves the client. A service (or a proxy) may echo the
 * key, and JSON lets it write the same key many ways (`sk-THISIS\u0053ECRET` is `sk-THISISSECRET`
 * once parsed): so the parsed values are masked, never the raw frame.
 */
const MASK = '***';

/** Removes a secret (and any bearer token) from text bound for logs, status or messages. */
export function redact(text: string, secret: string | undefined): string {
  if (!text) return text;
  let out = text;
  if (secret && secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(MASK);
  // Bearer tokens of any kind, in case a library echoes a header.
  return /bearer/i.test(out) ? out.replace(/Bearer\s+[^\s"',;]+/gi, `Bearer ${MASK}`) : out;
}

/**
 * The same for text that was never parsed (a frame that is not valid JSON, an HTTP body): its
 * \uXXXX escapes are decoded first, so an escaped key is found and masked too.
 */
export function redactRaw(text: string, secret: string | undefined): string {
  if (!text) return text;
  const decoded = text.includes('\\u') ? text.replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;
  return redact(decoded, secret);
}

/**
 * Whether a value parsed from this JSON text can hold anything redact() would mask. Without a backslash
 * (no escape) every string of the value, keys included, stands verbatim in the text: when the text
 * holds neither the secret nor "bearer", none of them does, and the walk of redactDeep can be skipped
 * (a receive path runs this for every frame; three native scans of the text cost less than the walk).
 */
export function mayNeedRedaction(json: string, secret: string | undefined): boolean {
  return json.includes('\\') || (!!secret && secret.length >= 4 && json.includes(secret)) || /bearer/i.test(json);
}

/** Masks the secret in every string of a parsed value (keys included), in place; returns it. */
export function redactDeep<T>(value: T, secret: string | undefined): T {
  return walk(value, secret, 0) as T;
}

function walk(value: unknown, secret: string | undefined, depth: number): unknown {
  if (typeof value === 'string') return redact(value, secret);
  if (!value || typeof value !== 'object' || depth > 64) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = walk(value[i], secret, depth + 1);
    return value;
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const v = walk(obj[key], secret, depth + 1);
    const safeKey = redact(key, secret);
    if (safeKey !== key) delete obj[key];
    obj[safeKey] = v;
  }
  return obj;
}
