/**
 * audio-in: takes audio as flows carry it, converts it to 16 kHz mono PCM16 in 100 ms frames and
 * streams it into the session. Thin glue over media/audio and the shared session.
 */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { AudioInputStream, GATE_DEFAULTS, Pcm16Framer, SilenceGate, coerceToBytes, isWav, type RawPcmFormat } from './media/audio';
import { FramePacer } from './media/pacer';
import { INPUT_SAMPLE_RATE } from './protocol';
import { readAudioMessage, type AudioMessage } from './glue/audio-message';
import { runControlAction, type ControlMessage } from './glue/control';
import type { LiveTranslateSessionNode } from './glue/session-node';
import { sessionTexts } from './glue/texts';

interface AudioInDef extends NodeDef {
  session: string;
  sampleRate?: number | string;
  channels?: number | string;
  bitDepth?: number | string;
  encoding?: string;
  pacing?: 'auto' | 'realtime' | 'fast';
  endSilence?: number | string;
  finishAtEnd?: boolean;
  /** Silence gate: 'auto' (live input only: raw chunks without a WAV header or msg.parts), 'on', 'off'. */
  gate?: 'auto' | 'on' | 'off';
  gateThreshold?: number | string;
  preRoll?: number | string;
  hangOver?: number | string;
}

const FRAME_MS = 100;
const FRAME_BYTES = (INPUT_SAMPLE_RATE * 2 * FRAME_MS) / 1000;

function defaultsFrom(def: AudioInDef): RawPcmFormat {
  const n = (v: unknown, d: number) => (isFinite(Number(v)) && Number(v) > 0 ? Number(v) : d);
  return {
    sampleRate: n(def.sampleRate, INPUT_SAMPLE_RATE),
    channels: n(def.channels, 1),
    bitDepth: n(def.bitDepth, 16) as RawPcmFormat['bitDepth'],
    float: def.encoding === 'float',
  };
}

function gateFrom(def: AudioInDef): SilenceGate {
  const n = (v: unknown, d: number, lo: number, hi: number) => {
    const x = typeof v === 'string' && v.trim() === '' ? NaN : Number(v);
    return isFinite(x) ? Math.min(hi, Math.max(lo, x)) : d;
  };
  return new SilenceGate({
    sampleRate: INPUT_SAMPLE_RATE,
    thresholdDb: n(def.gateThreshold, GATE_DEFAULTS.thresholdDb, -100, -10),
    // Settings in seconds, like End silence.
    preRollMs: n(def.preRoll, GATE_DEFAULTS.preRollMs / 1000, 0, 2) * 1000,
    hangOverMs: n(def.hangOver, GATE_DEFAULTS.hangOverMs / 1000, 0.5, 5) * 1000,
  });
}

export = function register(RED: NodeAPI): void {
  function AudioIn(this: Node, def: AudioInDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const texts = sessionTexts(RED);
    const session = RED.nodes.getNode(def.session) as LiveTranslateSessionNode | null;
    const stream = new AudioInputStream(defaultsFrom(def), INPUT_SAMPLE_RATE);
    const framer = new Pcm16Framer(FRAME_BYTES);
    const endSilenceSeconds = Math.min(5, Math.max(0, Number(def.endSilence ?? 1) || 0));
    const pacing = def.pacing || 'auto';
    const gateMode = def.gate === 'on' || def.gate === 'off' ? def.gate : 'auto';
    const gate = gateFrom(def);
    const pacer = new FramePacer(FRAME_MS, (frame) => {
      if (session && session.realtime) session.realtime.appendAudio(frame);
    });
    let unregister: (() => void) | undefined;
    let liveInput = false;

    if (!session) node.status({ fill: 'red', shape: 'ring', text: texts('status.nosession') });
    else unregister = session.register(node);

    node.on('input', (msg: NodeMessageInFlow, _send, done) => {
      try {
        if (!session) throw new Error('no livetranslate-session configured for this node');
        const m = msg as NodeMessageInFlow & AudioMessage & ControlMessage;
        if (m.action !== undefined) {
          runControlAction(session, m).then(() => done(), (e: Error) => done(e));
          return;
        }
        if (m.payload === 'start') {
          session.connectNow();
          done();
          return;
        }
        const stop = m.payload === 'stop';
        const refusal = session.inputRefusal();
        if (refusal) { done(new Error(`audio not sent: ${refusal}`)); return; } // the status keeps the session's cause
        session.touch();

        let frames: Buffer[] = [];
        let read = { recording: false, ends: stop };
        if (!stop) {
          // Decode base64/data URLs once (the stream itself looks for compressed formats where a
          // stream starts); typed arrays say their own sample format.
          const coerced = coerceToBytes(m.payload, { sniff: false });
          const r = readAudioMessage(m, isWav(coerced.bytes));
          if (coerced.typedFloat) r.chunk.format = { ...r.chunk.format, bitDepth: 32, float: true };
          else if (coerced.typedInt16) r.chunk.format = { ...r.chunk.format, bitDepth: 16, float: false };
          r.chunk.data = coerced.bytes;
          read = r;
          frames = framer.push(stream.push(r.chunk));
        }
        // Live input (microphone chunks) is gated by default; recordings are sent whole unless asked.
        // "stop" ends whatever stream came before it, gated or not.
        if (!stop) liveInput = !read.recording;
        const gated = gateMode === 'on' || (gateMode === 'auto' && liveInput);
        if (read.ends) {
          const tail = framer.push(stream.end());
          const last = framer.flush();
          frames = frames.concat(tail, last ? [last] : []);
        }
        let out: Buffer[] = [];
        if (gated) {
          for (const f of frames) out.push(...gate.push(f));
        } else {
          out = frames;
        }
        if (read.ends) {
          // End silence closes the last utterance; a shut gate has nothing left open to close.
          if (!gated || gate.isOpen) {
            out = out.concat(framer.push(Buffer.alloc(Math.round(endSilenceSeconds * INPUT_SAMPLE_RATE) * 2)));
            const rest = framer.flush();
            if (rest) out.push(rest);
          }
          gate.reset();
        }
        const realtime = pacing === 'realtime' || (pacing === 'auto' && read.recording);
        pacer.push(out, realtime);
        if (read.ends && def.finishAtEnd) {
          pacer.whenDrained(() => { session.finish().catch(() => undefined); });
        }
        // Audio that ended short was still sent; say what was wrong with it.
        const problems = stream.takeProblems();
        if (problems.length > 0) {
          node.status({ fill: 'yellow', shape: 'ring', text: texts('status.badaudio') });
          done(problems[0]);
          return;
        }
        done();
      } catch (e) {
        node.status({ fill: 'red', shape: 'ring', text: texts('status.badaudio') });
        done(e as Error);
      }
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      pacer.close();
      if (unregister) unregister();
      done();
    });
  }

  RED.nodes.registerType('livetranslate-audio-in', AudioIn as unknown as Parameters<NodeAPI['nodes']['registerType']>[1]);
};
