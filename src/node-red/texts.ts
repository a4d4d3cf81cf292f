/**
 * Status and error texts live once, in the session node's message catalogue; every node of the
 * package reads them from there by naming that catalogue's namespace explicitly.
 */
import type { NodeAPI } from 'node-red';

const NAMESPACE = 'node-red-contrib-qwen-livetranslate/livetranslate-session';

export type Texts = (key: string) => string;

/**
 * `texts('status.connected')` → the session catalogue's `livetranslate-session.status.connected`.
 * Each text is looked up once: the runtime's language is fixed when it starts, and a lookup costs
 * more than the rest of a status update (statuses change with every utterance of every session).
 */
export function sessionTexts(RED: NodeAPI): Texts {
  const known = new Map<string, string>();
  return (key: string) => {
    let text = known.get(key);
    if (text === undefined) {
      text = RED._(`${NAMESPACE}:livetranslate-session.${key}`);
      known.set(key, text);
    }
    return text;
  };
}
