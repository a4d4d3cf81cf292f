/**
 * Status and error texts live once, in the session node's message catalogue; every node of the
 * package reads them from there by naming that catalogue's namespace explicitly.
 */
import type { NodeAPI } from 'node-red';

const NAMESPACE = 'node-red-contrib-qwen-livetranslate/livetranslate-session';

export type Texts = (key: string) => string;

/** `texts('status.connected')` → the session catalogue's `livetranslate-session.status.connected`. */
export function sessionTexts(RED: NodeAPI): Texts {
  return (key: string) => RED._(`${NAMESPACE}:livetranslate-session.${key}`);
}
