/**
 * One simulated realtime session: the server side of one WebSocket. It validates the client's
 * frames, runs the VAD over the appended audio and hands what it hears to the utterances, which
 * queue each reply on a timeline. Fault injection lives in faults.ts. Nothing here may throw into
 * `ws`: every handler is wrapped, and a failure becomes an `error` event plus a log line.
 */
import WebSocket from 'ws';
import {
  INPUT_SAMPLE_RATE, defaultSessionConfig, mergeSessionConfig, validateSessionConfig,
  type WireSessionConfig,
} from '../protocol/catalog';
import type { ServerEvent, SessionObject } from '../protocol/events';
import { makeId } from '../protocol/ids';
import { SessionFaults } from './faults';
import { SIM_ERROR_CODES as CODES, decodePayload, errorEvent, readClientFrame } from './frames';
import { ImageGate } from './images';
import { Timeline } from './timeline';
import type { ScriptedReply, SimFaults, SimSessionRecord } from './types';
import { imageTokens } from './usage';
import { Utterances } from './utterances';
import type { ResolvedVariants } from './variants';
import type { SceneBook } from './scenes';
import { EnergyVad } from './vad';

export { INJECTABLE_ERRORS, type InjectableError } from './faults';

/** Keep at most 10 minutes of appended audio per session for receivedAudio(), so a long demo cannot eat memory. */
const MAX_KEPT_AUDIO_BYTES = 10 * 60 * INPUT_SAMPLE_RATE * 2;
/** After session.finished, close the socket ourselves if the client has not within this time. */
const CLOSE_AFTER_FINISHED_MS = 1000;

export interface SessionSettings {
  model: string;
  script: ScriptedReply[];
  variants: ResolvedVariants;
  /** Reference scenes an image may show (replies can depend on the scene). */
  scenes?: SceneBook;
  silenceMs: number;
  speechThreshold: number;
  realtime: boolean;
  log: (line: string) => void;
  faults: () => SimFaults | undefined;
  /** The request's path and query (lets a test pick out one client's sessions). */
  url?: string;
  /** Accept the upgrade and never answer: no session.created, every frame ignored (a hung server). */
  silent?: boolean;
}

export class SimSession {
  readonly record: SimSessionRecord;
  readonly faults: SessionFaults;
  private readonly chunks: Buffer[] = [];
  private keptBytes = 0;
  private readonly vad: EnergyVad;
  private readonly timeline: Timeline;
  private readonly utterances: Utterances;
  private readonly images = new ImageGate();
  private pendingImageTokens = 0;
  private scene: string | undefined;
  /** Frames that arrived while an image's scene was being recognised: handled, in order, once it is. */
  private deferred: Array<{ data: WebSocket.RawData; isBinary: boolean }> | null = null;
  private finishing = false;
  private closeTimer: NodeJS.Timeout | null = null;

  constructor(private readonly ws: WebSocket, private readonly s: SessionSettings, onClose: (rec: SimSessionRecord) => void) {
    const chunks = this.chunks;
    this.record = {
      id: makeId('sess'),
      config: defaultSessionConfig(),
      audioBytesReceived: 0,
      audioAppends: 0,
      imagesReceived: 0,
      imagesRejected: 0,
      utterances: [],
      eventsSent: [],
      billedAudioSeconds: 0,
      closed: false,
      finished: false,
      url: s.url || '',
      receivedAudio: () => Buffer.concat(chunks),
    };
    const self = this;
    this.faults = new SessionFaults({
      ws, id: this.record.id, eventsSent: this.record.eventsSent,
      faults: () => s.faults(),
      log: (line) => s.log(line),
      send: (e) => this.send(e),
      cancelReplies: () => this.timeline.cancel(),
      dispose: () => this.dispose(),
      guard: (fn) => this.guard(fn),
      get finishing() { return self.finishing; },
    });
    this.timeline = new Timeline((err) => this.internalError(err));
    this.utterances = new Utterances({
      record: this.record,
      conversationId: makeId('conv'),
      timeline: this.timeline,
      variants: s.variants,
      send: (e) => this.send(e),
      log: (line) => s.log(line),
      delay: (ms) => this.delay(ms),
      scene: () => this.scene,
      takeImageTokens: () => {
        const n = this.pendingImageTokens;
        this.pendingImageTokens = 0;
        return n;
      },
      speechStarted: () => this.faults.restartIdleClock(),
    }, s.script);
    this.vad = new EnergyVad({ silenceMs: s.silenceMs, thresholdDb: s.speechThreshold }, {
      onStart: (startMs) => this.guard(() => this.utterances.started(startMs)),
      onEnd: (startMs, endMs) => this.guard(() => this.utterances.ended(startMs, endMs)),
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (!this.s.silent) this.receive({ data, isBinary });
    });
    ws.on('error', (err) => this.s.log(`${this.record.id} socket error: ${err.message}`));
    ws.on('close', () => {
      this.record.closed = true;
      this.dispose();
      this.s.log(`${this.record.id} closed after ${this.record.utterances.length} utterance(s)`);
      onClose(this.record);
    });
    if (s.silent) {
      this.s.log(`${this.record.id} fault: accepted and silent`);
      return;
    }
    this.send({ event_id: makeId('event'), type: 'session.created', session: this.sessionObject() });
    this.faults.restartIdleClock();
    this.faults.armMaxLength();
  }

  /** Ends the session at once (stop()): no close handshake, no timers left. */
  terminate(): void {
    this.faults.terminate();
  }

  /** Sends a raw frame as is (fault injection: malformed JSON, arbitrary events, oversized frames). */
  sendRaw(frame: string): void {
    this.faults.write(frame);
  }

  send(event: ServerEvent): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.faults.write(JSON.stringify(event), event.type);
    if (event.type === 'response.done') this.faults.restartIdleClock();
  }

  private dispose(): void {
    this.timeline.cancel();
    this.faults.dispose();
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.closeTimer = null;
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.internalError(err);
    }
  }

  private internalError(err: unknown): void {
    this.s.log(`${this.record.id} internal error: ${(err as Error)?.stack || String(err)}`);
    try {
      this.send({ event_id: makeId('event'), type: 'error', error: { type: 'server_error', code: 'internal_error', message: 'Internal simulator error.', param: null } });
    } catch {
      // the socket is gone; nothing more to tell
    }
  }

  private sessionObject(): SessionObject {
    const cfg: WireSessionConfig = { ...this.record.config };
    // input_audio_transcription appears only when configured ([G35]).
    if (cfg.input_audio_transcription === null || cfg.input_audio_transcription === undefined) delete cfg.input_audio_transcription;
    return { id: this.record.id, object: 'realtime.session', model: this.s.model, ...cfg };
  }

  private fail(code: string, message: string, param: string | null = null): void {
    this.send(errorEvent(code, message, param));
  }

  private onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    const e = readClientFrame(data, isBinary);
    if (e.type === 'error') return this.send(e);
    if (this.finishing) return this.fail(CODES.invalidState, `'${e.type}' after session.finish: the session is ending.`);
    switch (e.type) {
      case 'session.update': return this.update(e.session);
      case 'input_audio_buffer.append': return this.appendAudio(e.audio);
      case 'input_image_buffer.append': return this.appendImage(e.image);
      case 'session.finish': return this.finish();
    }
  }

  private update(update: unknown): void {
    if (!update || typeof update !== 'object' || Array.isArray(update)) {
      this.fail(CODES.missingParameter, "Missing required parameter: 'session' (an object).", 'session');
      return;
    }
    const problems = validateSessionConfig(update as WireSessionConfig, this.record.config);
    if (problems.length) {
      const p = problems[0];
      this.fail(p.code, p.message, p.param);
      return;
    }
    this.record.config = mergeSessionConfig(this.record.config, update as WireSessionConfig);
    this.send({ event_id: makeId('event'), type: 'session.updated', session: this.sessionObject() });
  }

  /** Decodes a base64 payload, answering with an `error` when it is unusable. */
  private decode(value: unknown, param: 'audio' | 'image'): Buffer | undefined {
    const buf = decodePayload(value, param);
    if (Buffer.isBuffer(buf)) return buf;
    this.send(buf);
    return undefined;
  }

  private appendAudio(audio: unknown): void {
    const pcm = this.decode(audio, 'audio');
    if (!pcm) return;
    if (pcm.length % 2 !== 0) {
      this.fail(CODES.invalidValue, `Invalid 'audio': ${pcm.length} bytes is not a whole number of 16-bit samples.`, 'audio');
      return;
    }
    const r = this.record;
    r.audioAppends++;
    r.audioBytesReceived += pcm.length;
    r.billedAudioSeconds = r.audioBytesReceived / 2 / INPUT_SAMPLE_RATE;
    if (this.keptBytes < MAX_KEPT_AUDIO_BYTES) {
      const kept = pcm.subarray(0, MAX_KEPT_AUDIO_BYTES - this.keptBytes);
      this.chunks.push(kept);
      this.keptBytes += kept.length;
    }
    this.vad.push(pcm);
    if (this.vad.speaking) this.utterances.heard(this.vad.nowMs);
  }

  private appendImage(image: unknown): void {
    const jpeg = this.decode(image, 'image');
    if (!jpeg) {
      this.record.imagesRejected++;
      return;
    }
    const verdict = this.images.check(jpeg, this.record.audioAppends > 0);
    if (!verdict.ok) {
      this.record.imagesRejected++;
      this.fail(verdict.code, verdict.message, 'image');
      return;
    }
    this.record.imagesReceived++;
    this.pendingImageTokens += imageTokens(verdict.width, verdict.height);
    const scenes = this.s.scenes;
    if (scenes && scenes.size > 0) {
      // Like the service looking at the picture: what comes after it waits until it is seen.
      this.deferred = this.deferred || [];
      void scenes.recognise(jpeg).then((name) => {
        if (name !== undefined && name !== this.scene) this.s.log(`${this.record.id} scene: ${name}`);
        if (name !== undefined) this.scene = name;
      }, () => undefined).finally(() => this.guard(() => this.drainDeferred()));
    }
  }

  /** A client frame, handled now or, while an image's scene is being recognised, once it is. */
  private receive(f: { data: WebSocket.RawData; isBinary: boolean }): void {
    if (this.deferred) this.deferred.push(f);
    else this.guard(() => this.onFrame(f.data, f.isBinary));
  }

  private drainDeferred(): void {
    const queue = this.deferred || [];
    this.deferred = null;
    // An image among them starts a new wait, and receive() holds the rest behind it.
    for (const f of queue) if (!this.record.closed) this.receive(f);
  }

  private finish(): void {
    this.finishing = true;
    this.faults.stopIdleClock();
    // A segment still open ends here, as if silence followed; then session.finished comes after
    // its reply, since the timeline runs in order.
    this.vad.flush();
    this.timeline.add([{
      delayMs: this.delay(50),
      run: () => {
        this.send({ event_id: makeId('event'), type: 'session.finished' });
        this.record.finished = true;
        this.closeTimer = setTimeout(() => {
          this.closeTimer = null;
          this.ws.close(1000, 'session finished');
        }, CLOSE_AFTER_FINISHED_MS);
      },
    }]);
  }

  /** A step's delay: the service's pacing in realtime mode, none in fast mode, plus any injected delay. */
  private delay(ms: number): number {
    return (this.s.realtime ? ms : 0) + this.faults.extraDelay();
  }
}
