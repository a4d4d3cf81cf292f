/**
 * image-in: takes camera frames or image files, keeps at most the service's 2 frames a second
 * (latest wins, the rest counted), converts the frames that go out to JPEG within the limits
 * and the node's budget, and sends them as visual context. Frames wait (latest wins) until the
 * session has sent audio, which the service wants first. Optionally sends only while someone is
 * speaking, or only when the scene changed. Thin glue over media/image.
 */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow, NodeStatus } from 'node-red';
import {
  LatestFrameLimiter, SceneChangeFilter, coerceImageBytes, normalizeImage, sceneThumbnail, type ImageBudget,
} from './media/image';
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
  /** Cap on the tokens one frame costs (0 or blank: only the size limits). */
  maxTokens?: number | string;
  /** 'always' (default), 'speech' (only while speech is active), 'change' (only when the scene changed). */
  sendWhen?: 'always' | 'speech' | 'change';
  /** Scene change needed, in percent of full scale (mean absolute difference of thumbnails). */
  changeThreshold?: number | string;
}

/** A frame and the `done` of its message: each message gets one outcome, when its frame's fate is known. */
interface Frame { bytes: Buffer; msg: NodeMessageInFlow; done: (err?: Error) => void }

/** Speech counts as active this long after the service last said so (the picture still explains it). */
const SPEECH_GRACE_MS = 2000;

function num(v: unknown, d: number, lo: number, hi: number): number {
  const x = typeof v === 'string' && v.trim() === '' ? NaN : Number(v);
  return isFinite(x) && x > 0 ? Math.min(hi, Math.max(lo, x)) : d;
}

function budgetFrom(def: ImageInDef): ImageBudget {
  const budget: ImageBudget = { maxWidth: num(def.maxWidth, 1280, 16, 1920), maxHeight: num(def.maxHeight, 720, 16, 1080), quality: num(def.quality, 80, 1, 100) };
  const tokens = num(def.maxTokens, 0, 1, 100000);
  if (tokens > 0) budget.maxTokens = tokens;
  return budget;
}

export = function register(RED: NodeAPI): void {
  function ImageIn(this: Node, def: ImageInDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const texts = sessionTexts(RED);
    const session = RED.nodes.getNode(def.session) as LiveTranslateSessionNode | null;
    const budget = budgetFrom(def);
    const rate = Math.min(IMAGE_MAX_PER_SECOND, Math.max(0.1, Number(def.maxRate) || IMAGE_MAX_PER_SECOND));
    const sendWhen = def.sendWhen === 'speech' || def.sendWhen === 'change' ? def.sendWhen : 'always';
    const scene = new SceneChangeFilter(num(def.changeThreshold, 3, 0.1, 100) / 100);
    let closed = false;
    let unregister: (() => void) | undefined;
    let unsubscribe: (() => void) | undefined;
    let speechUntil = 0;
    let sent = 0;
    let skipped = 0;
    let sessionStatus: NodeStatus = {};

    // The session's status, with this node's frame counts once frames flow.
    const showStatus = () => {
      const dropped = limiter.dropped + skipped + replaced;
      if (sent + dropped === 0 || sessionStatus.fill !== 'green') {
        node.status(sessionStatus);
        return;
      }
      const key = 'livetranslate-image-in.status.frames';
      const text = RED._(key, { sent, dropped });
      node.status({ fill: 'green', shape: sessionStatus.shape || 'dot', text: text === key ? `${sent} sent, ${dropped} dropped` : text });
    };

    // The limiter spaces the conversions; conversion time varies, so the sends are spaced again here:
    // the service counts frames as they arrive. A frame that is early waits; a newer one replaces it.
    const minGapMs = 1000 / (rate * 0.95);
    let lastDeliveredAt = -Infinity;
    let waiting: { jpeg: Buffer; tokens: number } | undefined;
    let waitTimer: NodeJS.Timeout | undefined;
    let replaced = 0;
    const deliverNow = (jpeg: Buffer, tokens: number) => {
      if (closed || !session || !session.realtime) return;
      lastDeliveredAt = Date.now();
      session.realtime.appendImage(jpeg, tokens);
      sent++;
      showStatus();
    };
    const deliver = (jpeg: Buffer, tokens: number) => {
      const wait = lastDeliveredAt + minGapMs - Date.now();
      if (wait <= 0 && !waiting) {
        deliverNow(jpeg, tokens);
        return;
      }
      if (waiting) replaced++;
      waiting = { jpeg, tokens };
      if (!waitTimer) {
        waitTimer = setTimeout(() => {
          waitTimer = undefined;
          const w = waiting;
          waiting = undefined;
          if (w) {
            try {
              deliverNow(w.jpeg, w.tokens);
            } catch (e) {
              node.error((e as Error).message);
            }
          }
        }, Math.max(0, wait));
      }
    };

    // Convert only the frames that will be sent: a 30 fps camera costs 2 conversions a second.
    // 5 % under the limit: network jitter must not land three frames in one second at the service.
    const limiter = new LatestFrameLimiter<Frame>(rate * 0.95, (frame) => {
      normalizeImage(frame.bytes, budget).then(async (img) => {
        if (closed) return;
        if (sendWhen === 'change') {
          const thumb = await sceneThumbnail(img.jpeg);
          if (closed) return;
          if (!scene.changed(thumb)) {
            skipped++;
            showStatus();
            return;
          }
          scene.accept(thumb);
        }
        deliver(img.jpeg, img.tokens);
      }).then(() => frame.done(), (e: Error) => {
        if (!closed) node.status({ fill: 'red', shape: 'ring', text: texts('status.badimage') });
        frame.done(e);
      });
    }, Date.now, (frame) => frame.done());

    if (!session) node.status({ fill: 'red', shape: 'ring', text: texts('status.nosession') });
    else {
      unregister = session.register({ status: (s: NodeStatus) => { sessionStatus = s; showStatus(); } });
      if (sendWhen === 'speech') {
        unsubscribe = session.subscribe({
          event: (event) => {
            const t = event.type as string;
            if (t === 'input_audio_buffer.speech_started') speechUntil = Infinity;
            else if (t === 'input_audio_buffer.speech_stopped') speechUntil = Date.now() + SPEECH_GRACE_MS;
            else if (t === 'conversation.item.input_audio_transcription.text' && speechUntil !== Infinity) {
              speechUntil = Math.max(speechUntil, Date.now() + SPEECH_GRACE_MS);
            }
          },
          state: (state) => { if (state !== 'open') speechUntil = 0; },
        });
      }
    }

    node.on('input', (msg: NodeMessageInFlow, _send, done) => {
      try {
        if (!session) throw new Error('no livetranslate-session configured for this node');
        const m = msg as NodeMessageInFlow & ControlMessage;
        if (m.action !== undefined) {
          runControlAction(session, m).then(() => done(), (e: Error) => done(e));
          return;
        }
        const refusal = session.inputRefusal();
        if (refusal) { done(new Error(`image not sent: ${refusal}`)); return; } // the status keeps the session's cause
        const bytes = coerceImageBytes(m.payload);
        session.touch();
        if (sendWhen === 'speech' && Date.now() >= speechUntil) {
          skipped++;
          showStatus();
          done();
          return;
        }
        limiter.offer({ bytes, msg, done });
        showStatus();
      } catch (e) {
        node.status({ fill: 'red', shape: 'ring', text: texts('status.badimage') });
        done(e as Error);
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      clearTimeout(waitTimer);
      waitTimer = undefined;
      limiter.close();
      if (unsubscribe) unsubscribe();
      if (unregister) unregister();
      done();
    });
  }

  RED.nodes.registerType('livetranslate-image-in', ImageIn as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
