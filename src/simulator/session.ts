/**
 * One simulated realtime session: the server side of one WebSocket. It validates the client's
 * frames, runs the VAD over the appended audio, and queues each utterance's reply on a timeline.
 * Nothing here may throw into `ws`: every handler is wrapped, and a failure becomes an `error`
 * event plus a log line.
 */
import WebSocket from 'ws';
import {
  INPUT_SAMPLE_RATE, defaultSessionConfig, mergeSessionConfig, validateSessionConfig, DEFAULT_LANGUAGE,
  type WireSessionConfig,
} from '../protocol/catalog';
import type { ServerEvent, SessionObject } from '../protocol/events';
import { makeId } from '../protocol/ids';
import { parseClientFrame } from '../protocol/parse';
import { SIM_ERROR_CODES as CODES, decodeBase64Strict, errorEvent } from './frames';
import { ImageGate } from './images';
import { buildUtteranceEvents } from './reply';
import { defaultReply, replyFor } from './script';
import { Timeline, type Step } from './timeline';
import type { ScriptedReply, SimFaults, SimSessionRecord, SimUtterance } from './types';
import { imageTokens } from './usage';
import { EnergyVad } from './vad';

/** Keep at most 10 minutes of appended audio per session for receivedAudio(), so a long demo cannot eat memory. */
const MAX_KEPT_AUDIO_BYTES = 10 * 60 * INPUT_SAMPLE_RATE * 2;
/** After session.finished, close the socket ourselves if the client has not within this time. */
const CLOSE_AFTER_FINISHED_MS = 1000;

/** Client events that other realtime APIs have and this model rejects, with the reason why. */
const UNSUPPORTED: Record<string, string> = {
  'input_audio_buffer.commit': 'turn detection is done by the server: keep streaming audio, silence included, and the server commits each segment',
  'input_audio_buffer.clear': 'the input buffer is managed by the server VAD',
  'response.create': 'responses are created by the server for each detected speech segment',
  'response.cancel': 'responses cannot be cancelled; end the session with session.finish',
};

export interface SessionSettings {
  model: string;
  script: ScriptedReply[];
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

/** The service-side `error` events a test can inject (messages seen on the platform; docs/protocol.md §6). */
export const INJECTABLE_ERRORS = {
  rate_limit: { type: 'invalid_request_error', code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded, please try again later.' },
  quota: { type: 'invalid_request_error', code: 'Throttling.AllocationQuota', message: 'Allocated quota exceeded, please increase your quota limit.' },
  internal: { type: 'server_error', code: 'InternalError', message: 'Internal service error: null' },
  idle_timeout: { type: 'invalid_request_error', code: 'response_idle_timeout', message: 'Your session was closed because no response was generated for 300 seconds.' },
} as const;
export type InjectableError = keyof typeof INJECTABLE_ERRORS;

export class SimSession {
  readonly record: SimSessionRecord;
  private readonly chunks: Buffer[] = [];
  private keptBytes = 0;
  private readonly vad: EnergyVad;
  private readonly timeline: Timeline;
  private readonly images = new ImageGate();
  private readonly conversationId = makeId('conv');
  private scriptIndex = 0;
  private inputItemId: string | null = null;
  private previousInputItemId: string | null = null;
  private pendingImageTokens = 0;
  private finishing = false;
  private closeTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Stalled: nothing is sent (events are held) and nothing is read, not even pings. */
  private held: Array<{ text: string; type?: string }> | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private delayOverride: number | undefined;
  private dropAtEvents: number | undefined;

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
    this.timeline = new Timeline((err) => this.internalError(err));
    this.vad = new EnergyVad({ silenceMs: s.silenceMs, thresholdDb: s.speechThreshold }, {
      onStart: (startMs) => this.guard(() => this.speechStarted(startMs)),
      onEnd: (startMs, endMs) => this.guard(() => this.speechEnded(startMs, endMs)),
    });
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => this.guard(() => {
      if (!this.s.silent) this.onFrame(data, isBinary);
    }));
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
    this.restartIdleClock();
    const max = s.faults()?.maxSessionMs;
    if (max && max > 0) {
      this.maxTimer = setTimeout(() => this.guard(() => {
        this.maxTimer = null;
        this.s.log(`${this.record.id} reached the maximum session length: closing`);
        this.send(errorEvent('session_expired', `The session reached its maximum duration of ${Math.round(max / 1000)} seconds.`));
        this.closeWith(1000, 'maximum session length');
      }), max);
    }
  }
  private maxTimer: NodeJS.Timeout | null = null;

  /** Ends the session at once (stop()): no close handshake, no timers left. */
  terminate(): void {
    this.dispose();
    this.ws.terminate();
  }

  /** Sends a raw frame as is (fault injection: malformed JSON, arbitrary events, oversized frames). */
  sendRaw(frame: string): void {
    this.write(frame);
  }

  /** Sends a binary frame (fault injection: the service speaks JSON text frames only). */
  sendBinary(data: Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(data, { binary: true }, () => undefined);
  }

  /** Closes with this WebSocket code and reason (fault injection; 1005/1006/1015 cannot be sent and become a cut). */
  closeWith(code: number, reason = ''): void {
    this.resume();
    if (code === 1005 || code === 1006 || code === 1015 || code < 1000 || code > 4999) {
      this.terminate();
      return;
    }
    this.dispose();
    try {
      this.ws.close(code, reason.slice(0, 120));
    } catch {
      this.ws.terminate();
    }
  }

  /** Sends one of the service's error events; an idle timeout then closes the socket, as the service does. */
  sendError(kind: InjectableError): void {
    const e = INJECTABLE_ERRORS[kind];
    this.send({ event_id: makeId('event'), type: 'error', error: { type: e.type, code: e.code, message: e.message, param: null } });
    if (kind === 'idle_timeout') {
      this.timeline.cancel();
      this.closeWith(1000, 'idle timeout');
    }
  }

  /**
   * Stops sending and reading (a black-holed connection): events are held, pings go unanswered.
   * After `ms` (if given) it resumes and the held events go out, late.
   */
  stall(ms?: number): void {
    if (this.held) return;
    this.held = [];
    const socket = (this.ws as unknown as { _socket?: { pause(): void } })._socket;
    if (socket) socket.pause();
    if (ms !== undefined) this.stallTimer = setTimeout(() => this.guard(() => this.resume()), ms);
  }

  resume(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    const held = this.held;
    if (!held) return;
    this.held = null;
    const socket = (this.ws as unknown as { _socket?: { resume(): void } })._socket;
    if (socket) socket.resume();
    for (const h of held) this.write(h.text, h.type);
  }

  /** Extra delay before each reply step of this session (overrides the simulator-wide one). */
  setDelay(ms: number | undefined): void {
    this.delayOverride = ms;
  }

  /** Cut the connection once `n` more events have been sent. */
  dropAfter(n: number): void {
    this.dropAtEvents = this.record.eventsSent.length + Math.max(1, n);
  }

  send(event: ServerEvent): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.write(JSON.stringify(event), event.type);
    if (event.type === 'response.done') this.restartIdleClock();
  }

  private write(text: string, type?: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.held) {
      this.held.push({ text, type });
      return;
    }
    this.ws.send(text, () => undefined);
    if (type === undefined) return;
    this.record.eventsSent.push(type);
    const n = this.record.eventsSent.length;
    const drop = this.s.faults()?.dropAfterEvents;
    if ((drop !== undefined && n >= drop) || (this.dropAtEvents !== undefined && n >= this.dropAtEvents)) {
      this.s.log(`${this.record.id} fault: dropping the connection after ${n} events`);
      this.terminate();
    }
  }

  private dispose(): void {
    this.timeline.cancel();
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
    if (this.maxTimer) clearTimeout(this.maxTimer);
    this.maxTimer = null;
    this.held = null;
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.closeTimer = null;
    this.stopIdleClock();
  }

  private stopIdleClock(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  /** The service closes sessions that generate no response for ~300 s (docs/protocol.md §6). */
  private restartIdleClock(): void {
    this.stopIdleClock();
    const ms = this.s.faults()?.idleTimeoutMs;
    if (!ms || ms <= 0 || this.finishing || this.ws.readyState !== WebSocket.OPEN) return;
    this.idleTimer = setTimeout(() => this.guard(() => {
      this.idleTimer = null;
      const seconds = Math.round(ms / 100) / 10;
      this.s.log(`${this.record.id} idle for ${seconds} s: closing`);
      this.send(errorEvent('response_idle_timeout',
        `Your session was closed because no response was generated for ${seconds} seconds.`));
      this.timeline.cancel();
      this.ws.close(1000, 'idle timeout');
    }), ms);
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
    if (isBinary) {
      this.fail(CODES.invalidFrame, 'Binary frames are not supported: send JSON text frames.');
      return;
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8')
      : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    const parsed = parseClientFrame(text);
    if (parsed.kind === 'invalid') {
      this.fail(CODES.invalidJson, `Invalid event: ${parsed.reason}.`);
      return;
    }
    if (parsed.kind === 'unknown') {
      const why = UNSUPPORTED[parsed.type];
      if (why) this.fail(CODES.unsupportedEvent, `'${parsed.type}' is not supported by this model: ${why}.`, 'type');
      else this.fail(CODES.invalidValue, `Invalid event type: '${parsed.type}'. Supported: session.update, input_audio_buffer.append, input_image_buffer.append, session.finish.`, 'type');
      return;
    }
    if (this.finishing) {
      this.fail(CODES.invalidState, `'${parsed.event.type}' after session.finish: the session is ending.`);
      return;
    }
    const e = parsed.event;
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
    if (typeof value !== 'string') {
      this.fail(CODES.missingParameter, `Missing required parameter: '${param}' (a base64 string).`, param);
      return undefined;
    }
    const buf = decodeBase64Strict(value);
    if (typeof buf === 'string') {
      this.fail(CODES.invalidValue, `Invalid '${param}': ${buf}.`, param);
      return undefined;
    }
    if (buf.length === 0) {
      this.fail(CODES.invalidValue, `Invalid '${param}': empty.`, param);
      return undefined;
    }
    return buf;
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
  }

  private finish(): void {
    this.finishing = true;
    this.stopIdleClock();
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

  private speechStarted(startMs: number): void {
    this.inputItemId = makeId('item');
    // Speech will produce a response: the idle clock restarts from its end.
    this.restartIdleClock();
    this.send({ event_id: makeId('event'), type: 'input_audio_buffer.speech_started', audio_start_ms: startMs, item_id: this.inputItemId });
  }

  private speechEnded(startMs: number, endMs: number): void {
    const n = this.record.utterances.length + 1;
    const target = this.record.config.translation?.language || DEFAULT_LANGUAGE;
    const reply = this.scriptIndex < this.s.script.length
      ? replyFor(this.s.script[this.scriptIndex++], target)
      : defaultReply(n, (endMs - startMs) / 1000, target);
    const utterance: SimUtterance = { startMs, endMs, reply };
    this.record.utterances.push(utterance);
    const inputItemId = this.inputItemId || makeId('item');
    const events = buildUtteranceEvents({
      config: this.record.config,
      conversationId: this.conversationId,
      inputItemId,
      previousInputItemId: this.previousInputItemId,
      startMs,
      endMs,
      reply,
      imageTokens: this.pendingImageTokens,
    });
    this.previousInputItemId = inputItemId;
    this.inputItemId = null;
    this.pendingImageTokens = 0;
    this.s.log(`${this.record.id} utterance ${n}: ${startMs}-${endMs} ms -> ${JSON.stringify(reply.translation)}`);
    for (const e of events.immediate) this.send(e);
    let prev = 0;
    const steps: Step[] = events.timed.map((t) => {
      const step = { delayMs: this.delay(t.atMs - prev), run: () => this.send(t.event) };
      prev = t.atMs;
      return step;
    });
    this.timeline.add(steps);
  }

  /** A step's delay: the service's pacing in realtime mode, none in fast mode, plus any injected delay. */
  private delay(ms: number): number {
    const extra = this.delayOverride !== undefined ? this.delayOverride : (this.s.faults()?.delayMs || 0);
    return (this.s.realtime ? ms : 0) + extra;
  }
}
