/**
 * image-in: takes camera frames or image files, keeps at most the service's 2 frames a second
 * (latest wins, the rest counted), converts the frames that go out to JPEG within the limits
 * and the node's budget, and sends them as visual context. Thin glue over media/image.
 */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { LatestFrameLimiter, coerceImageBytes, normalizeImage, type ImageBudget } from './media/image';
import { IMAGE_MAX_PER_SECOND } from './protocol';
import { runControlAction, type ControlMessage } from './glue/control';
import type { LiveTranslateSessionNode } from './glue/session-node';
import { sessionTexts } from './glue/texts';

interface ImageInDef extends NodeDef {
  session: string;
  maxWidth?: number | string;
  maxHeight?: number | string;
  quality?: number | string;
  maxRate?: number | string;
}

interface Frame { bytes: Buffer; msg: NodeMessageInFlow }

function budgetFrom(def: ImageInDef): ImageBudget {
  const n = (v: unknown, d: number, lo: number, hi: number) => {
    const x = Number(v);
    return isFinite(x) && x > 0 ? Math.min(hi, Math.max(lo, x)) : d;
  };
  return { maxWidth: n(def.maxWidth, 1280, 16, 1920), maxHeight: n(def.maxHeight, 720, 16, 1080), quality: n(def.quality, 80, 1, 100) };
}

export = function register(RED: NodeAPI): void {
  function ImageIn(this: Node, def: ImageInDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const texts = sessionTexts(RED);
    const session = RED.nodes.getNode(def.session) as LiveTranslateSessionNode | null;
    const budget = budgetFrom(def);
    const rate = Math.min(IMAGE_MAX_PER_SECOND, Math.max(0.1, Number(def.maxRate) || IMAGE_MAX_PER_SECOND));
    let closed = false;
    let unregister: (() => void) | undefined;

    // Convert only the frames that will be sent: a 30 fps camera costs 2 conversions a second.
    // 5 % under the limit: network jitter must not land three frames in one second at the service.
    const limiter = new LatestFrameLimiter<Frame>(rate * 0.95, (frame) => {
      normalizeImage(frame.bytes, budget).then((img) => {
        if (closed || !session || !session.realtime) return;
        session.realtime.appendImage(img.jpeg);
      }, (e: Error) => {
        if (closed) return;
        node.status({ fill: 'red', shape: 'ring', text: texts('status.badimage') });
        node.error(e.message, frame.msg);
      });
    });

    if (!session) node.status({ fill: 'red', shape: 'ring', text: texts('status.nosession') });
    else unregister = session.register(node);

    node.on('input', (msg: NodeMessageInFlow, _send, done) => {
      try {
        if (!session) throw new Error('no livetranslate-session configured for this node');
        const m = msg as NodeMessageInFlow & ControlMessage;
        if (m.action !== undefined) {
          runControlAction(session, m).then(() => done(), (e: Error) => done(e));
          return;
        }
        const refusal = session.inputRefusal();
        if (refusal) throw new Error(`image not sent: ${refusal}`);
        const bytes = coerceImageBytes(m.payload);
        session.touch();
        limiter.offer({ bytes, msg });
        done();
      } catch (e) {
        node.status({ fill: 'red', shape: 'ring', text: texts('status.badimage') });
        done(e as Error);
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      limiter.close();
      if (unregister) unregister();
      done();
    });
  }

  RED.nodes.registerType('livetranslate-image-in', ImageIn as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
