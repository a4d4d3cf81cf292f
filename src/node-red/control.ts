/**
 * msg.action on any input node controls the session, as mqtt nodes do: connect, disconnect
 * (or finish: session.finish, then close), update (msg.payload holds the options to change).
 */
import type { LiveTranslateSessionNode } from './session-node';

export interface ControlMessage {
  action?: unknown;
  payload?: unknown;
}

export const CONTROL_ACTIONS = ['connect', 'disconnect', 'finish', 'update'] as const;

export async function runControlAction(session: LiveTranslateSessionNode, msg: ControlMessage): Promise<void> {
  switch (msg.action) {
    case 'connect':
      session.connectNow();
      return;
    case 'disconnect':
    case 'finish':
      await session.finish();
      return;
    case 'update': {
      const p = msg.payload;
      if (!p || typeof p !== 'object' || Array.isArray(p)) {
        throw new Error('msg.action "update" needs msg.payload as an object of options, e.g. {"targetLanguage":"ja"}');
      }
      session.updateOptions(p as Record<string, unknown>);
      return;
    }
    default:
      throw new Error(`unknown msg.action ${JSON.stringify(String(msg.action)).slice(0, 40)}: expected one of ${CONTROL_ACTIONS.join(', ')}`);
  }
}
