/** Removes a secret from text bound for logs, status or messages. */
export function redact(text: string, secret: string | undefined): string {
  if (!text) return text;
  let out = text;
  if (secret && secret.length >= 4) out = out.split(secret).join('***');
  // Bearer tokens of any kind, in case a library echoes a header.
  return out.replace(/Bearer\s+[^\s"',;]+/gi, 'Bearer ***');
}
