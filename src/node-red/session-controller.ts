/**
 * What a livetranslate-session node does: owns one RealtimeSession (one WebSocket) shared by every
 * node that uses it, mirrors its state in their status (through the hub), counts and reports what
 * never reached the service, and finishes the session cleanly when the node closes.
 */
import type { Node, NodeStatus } from 'node-red';
import { ActivityTracker, RealtimeSession, redact } from '../client';
import { toWireConfig, wireUpdate, type TranslateOptions } from '../protocol';
import { WarningCoalescer } from '../util/warning-coalescer';
import { DropAccounting, describeDrops } from './drop-accounting';
import { OutageNotes } from './outage-notes';
import { SessionHub } from './session-hub';
import type { SessionListener, StatusSink } from './session-node';
import { describeProblems, optionsFrom, validateOptions, type SessionSettings } from './session-settings';
import { statusFor, withDrops, type Translate } from './status';

/** Closing must not hang on a service that never says session.finished. */
const CLOSE_FINISH_TIMEOUT_MS = 3000;
/** Drops are reported at most this often (events output, log), coalesced. */
const DROP_REPORT_MS = 1000;

export class SessionController {
  readonly setupProblem: string | undefined;
  private opts: TranslateOptions;
  private realtimeSession: RealtimeSession | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly node: Node;
  private readonly settings: SessionSettings;
  private readonly apiKey: string;
  private readonly t: Translate;
  private readonly activity = new ActivityTracker();
  private readonly hub: SessionHub;
  // Repeated warnings (a connection that keeps failing, drops every second) said once a window.
  private readonly warnings: WarningCoalescer;
  private readonly drops: DropAccounting;
  private readonly outage: OutageNotes;

  constructor(node: Node, settings: SessionSettings, apiKey: string, t: Translate) {
    this.node = node;
    this.settings = settings;
    this.apiKey = apiKey;
    this.t = t;
    this.opts = settings.options;
    this.warnings = new WarningCoalescer({ emit: (text) => node.warn(text) });
    this.hub = new SessionHub({
      listenerFailed: (e) => node.error(`listener failed: ${redact(e.message, apiKey)}`),
      greeting: (l) => this.greet(l),
      onUnused: () => { if (this.realtimeSession) void this.realtimeSession.finish(); },
    });
    this.drops = new DropAccounting({
      reportMs: DROP_REPORT_MS,
      report: (summary) => {
        // During an outage the drops are told in the "still unreachable" warnings instead.
        if (!this.outage.active) {
          const total = this.drops.total;
          this.warnings.warn('dropped', `${describeDrops(summary)} not sent: ${summary.reasons.join(', ')}`,
            () => `${total.audioFrames} audio frame(s) and ${total.images} image(s) not sent since the deploy`);
        }
        this.showStatus();
        this.hub.each((l) => l.dropped && l.dropped(summary));
      },
      unconfirmed: () => (this.realtimeSession ? this.realtimeSession.stats.audioFramesUnconfirmed : 0),
    });
    this.outage = new OutageNotes({ warnings: this.warnings, drops: this.drops.total, log: (s) => node.log(s), warn: (s) => node.warn(s) });

    const problems = validateOptions(this.opts);
    if (!settings.endpoint) this.setupProblem = 'no endpoint URL set';
    else if (problems.length > 0) this.setupProblem = `invalid session configuration: ${describeProblems(problems)}`;
    if (this.setupProblem) node.error(this.setupProblem);
    else this.realtimeSession = this.start();
    this.showStatus();
    if (this.realtimeSession && settings.connectMode === 'deploy') this.realtimeSession.connect();
  }

  get options(): TranslateOptions { return this.opts; }
  get realtime(): RealtimeSession | undefined { return this.realtimeSession; }

  register(user: StatusSink): (removed?: boolean) => void { return this.hub.register(user); }
  subscribe(listener: SessionListener): () => void { return this.hub.subscribe(listener); }

  inputRefusal(): string | undefined {
    if (this.setupProblem) return this.setupProblem;
    const r = this.realtimeSession;
    if (r && r.state === 'failed') return (this.activity.reason && this.activity.reason.message) || 'the session failed';
    return undefined;
  }

  /** Notes input: re-arms the idle timer of an on-input session (the input itself wakes the session). */
  touch(): void {
    if (this.settings.connectMode !== 'input' || !this.realtimeSession) return;
    if (this.idleTimer) this.idleTimer.refresh();
    else this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.realtimeSession) void this.realtimeSession.finish();
    }, this.settings.idleTimeoutMs);
  }

  updateOptions(change: Record<string, unknown>): void {
    const next = optionsFrom(change, this.opts);
    const found = validateOptions(next);
    if (found.length > 0) throw new Error(`invalid session options: ${describeProblems(found)}`);
    const before = this.opts;
    this.opts = next;
    if (this.setupProblem && this.setupProblem.startsWith('invalid session configuration') && this.settings.endpoint) {
      // The settings were wrong; the new options are right, but the session was never made.
      this.node.warn('session options corrected at runtime; redeploy to apply them to the node settings');
    }
    if (this.realtimeSession) this.realtimeSession.update(wireUpdate(before, this.opts));
  }

  connectNow(): void { if (this.realtimeSession) this.realtimeSession.connect(); }
  finish(): Promise<void> { return this.realtimeSession ? this.realtimeSession.finish() : Promise.resolve(); }

  /**
   * Redeployed or removed, the session finishes (bounded) and is disposed: a redeploy makes a new
   * node with maybe new settings or key, so the old socket must not outlive it. The hub's `removed`
   * handling blanks the users' status on removal; what was still waiting to be sent is said once.
   */
  close(removed: boolean, done: () => void): void {
    this.warnings.close();
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.drops.close();
    this.hub.close(removed);
    const session = this.realtimeSession;
    this.realtimeSession = undefined;
    if (!session) { done(); return; }
    const end = () => {
      const left = session.queuedAudioFrames;
      session.dispose();
      if (left > 0) this.node.warn(`${left} audio frame(s) still waiting for the connection were not sent`);
      done();
    };
    session.finish(CLOSE_FINISH_TIMEOUT_MS).then(end, end);
  }

  private start(): RealtimeSession {
    const s = this.settings;
    const session = new RealtimeSession({
      endpoint: s.endpoint, model: s.model, apiKey: this.apiKey, config: toWireConfig(this.opts),
      allowInsecure: s.allowInsecure, userAgent: 'node-red-contrib-qwen-livetranslate',
      maxQueuedAudioBytes: s.bufferBytes, maxSessionMs: s.maxSessionMs, ...s.tuning,
    });
    session.on('dropped', (r) => this.drops.add(r));
    session.on('state', (state, reason) => {
      this.activity.onState(state, reason);
      if (state === 'failed' && reason) this.node.error(reason.message);
      else if (state === 'closed' && reason && reason.retryAt !== undefined) this.outage.unreachable(session, reason.message, () => this.activity.reason);
      else if (state === 'closed' && reason && reason.message && !/^(closed|finished|rotating)$/.test(reason.message)) this.node.warn(reason.message);
      if (state === 'open') this.outage.reachable(session);
      this.showStatus();
      this.hub.stateReached();
      this.hub.each((l) => l.state && l.state(state, reason));
    });
    session.on('event', (event) => {
      if (this.activity.onEvent(event)) this.showStatus();
      this.hub.each((l) => l.event && l.event(event));
    });
    session.on('unknown', (type, raw) => this.hub.each((l) => l.unknown && l.unknown(type, raw)));
    session.on('problem', (message, detail) => {
      this.node.warn(message);
      this.hub.each((l) => l.problem && l.problem(message, detail));
    });
    return session;
  }

  private showStatus(): void {
    const status: NodeStatus = this.setupProblem
      ? { fill: 'red', shape: 'ring', text: this.t('status.badconfig') }
      : withDrops(statusFor(this.activity.current, this.activity.reason, this.t), this.drops.count, this.t);
    this.hub.showStatus(status);
  }

  /** The state so far (e.g. failed at deploy), for a listener that no newer state has reached. */
  private greet(listener: SessionListener): void {
    if (!listener.state) return;
    if (this.setupProblem) listener.state('failed', { message: this.setupProblem, retry: false });
    else if (this.realtimeSession && this.realtimeSession.state !== 'idle') listener.state(this.realtimeSession.state, this.activity.reason);
  }
}
