/**
 * livetranslate-session: the config node. One RealtimeSession (one WebSocket) shared by every node
 * that uses it. Thin glue over node-red/session-controller: reads the settings and the key, hands the
 * node's API to the controller, and closes it with Node-RED's `removed` flag.
 */
import type { NodeAPI, NodeDef } from 'node-red';
import type { LiveTranslateSessionNode } from './node-red/session-node';
import { SessionController } from './node-red/session-controller';
import { readSessionSettings, type SessionNodeConfig } from './node-red/session-settings';
import { serveCatalog } from './node-red/catalog-route';
import { registerNodeType } from './node-red/register-type';
import { sessionTexts } from './node-red/texts';

type Def = NodeDef & SessionNodeConfig;

export = function register(RED: NodeAPI): void {
  const t = sessionTexts(RED);
  serveCatalog(RED);

  function LiveTranslateSession(this: LiveTranslateSessionNode, def: Def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const apiKey = (node.credentials && node.credentials.apiKey) || process.env.DASHSCOPE_API_KEY || '';
    const controller = new SessionController(node, readSessionSettings(def), apiKey, t);

    Object.defineProperties(node, {
      setupProblem: { get: () => controller.setupProblem },
      options: { get: () => controller.options },
      realtime: { get: () => controller.realtime },
    });
    node.register = (user) => controller.register(user);
    node.subscribe = (listener) => controller.subscribe(listener);
    node.inputRefusal = () => controller.inputRefusal();
    node.touch = () => controller.touch();
    node.updateOptions = (change) => controller.updateOptions(change);
    node.connectNow = () => controller.connectNow();
    node.finish = () => controller.finish();

    node.on('close', (removed: boolean, done: () => void) => controller.close(removed, done));
  }

  registerNodeType<Def, { apiKey?: string }, LiveTranslateSessionNode>(RED, 'livetranslate-session', LiveTranslateSession, {
    credentials: { apiKey: { type: 'password' } },
  });
};
