/**
 * livetranslate-session: the config node. Owns one RealtimeSession (one WebSocket) shared by
 * every node that uses it, mirrors its state in their status, and closes it cleanly on redeploy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeAPI, NodeDef, NodeStatus } from 'node-red';
import { ActivityTracker, RealtimeSession, redact, type DropReport } from './client';
import { toWireConfig, wireUpdate } from './protocol';
import type { DropSummary, LiveTranslateSessionNode, SessionListener, StatusSink } from './glue/session-node';
import { sessionTexts } from './glue/texts';
import { registerNodeType } from './glue/register-type';
import { statusFor, withDrops } from './glue/status';
import { WarningCoalescer, formatSeconds } from './util/warning-coalescer';
import {
  describeProblems, optionsFrom, readSessionSettings, validateOptions, type SessionNodeConfig, type SessionSettings,
} from './glue/session-settings';

type Def = NodeDef & SessionNodeConfig;

/** Redeploys must not hang on a service that never says session.finished. */
const CLOSE_FINISH_TIMEOUT_MS = 3000;
/** Drops are reported at most this often (events output, log), coalesced. */
const DROP_REPORT_MS = 1000;

export = function register(RED: NodeAPI): void {
  const t = sessionTexts(RED);
  serveCatalog(RED);

  function LiveTranslateSession(this: LiveTranslateSessionNode, def: Def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const settings: SessionSettings = readSessionSettings(def);
    const apiKey = (node.credentials && node.credentials.apiKey) || process.env.DASHSCOPE_API_KEY || '';
    const users = new Set<StatusSink>();
    const listeners = new Set<SessionListener>();
    const ungreeted = new Set<SessionListener>();
    const activity = new ActivityTracker();
    let options = settings.options;
    let idleTimer: NodeJS.Timeout | undefined;
    let setupProblem: string | undefined;
    let realtime: RealtimeSession | undefined;
    let closing = false;
    // Repeated warnings (a connection that keeps failing, drops every second) said once a window.
    const warnings = new WarningCoalescer({ emit: (text) => node.warn(text) });
    // While the service cannot be reached: since when, and the drops counted before it began.
    let outage: { since: number; droppedBefore: number; bytesBefore: number } | undefined;
    const droppedSince = (o: { droppedBefore: number; bytesBefore: number }) => {
      const frames = dropTotal.audioFrames - o.droppedBefore;
      return frames > 0 ? `${frames} audio frame(s) (${formatSeconds(((dropTotal.audioBytes - o.bytesBefore) / 32000) * 1000)} s)` : '';
    };

    const problems = validateOptions(options);
    if (!settings.endpoint) setupProblem = 'no endpoint URL set';
    else if (problems.length > 0) setupProblem = `invalid session configuration: ${describeProblems(problems)}`;

    // What never reached the service: since the deploy (status) and since the last report.
    const dropTotal = { audioFrames: 0, audioBytes: 0, images: 0 };
    let dropPending: { audioFrames: number; audioBytes: number; images: number; reasons: Set<string> } | undefined;
    let dropTimer: NodeJS.Timeout | undefined;

    const showStatus = () => {
      const s: NodeStatus = setupProblem
        ? { fill: 'red', shape: 'ring', text: t('status.badconfig') }
        : withDrops(statusFor(activity.current, activity.reason, t), dropTotal.audioFrames + dropTotal.images, t);
      for (const u of users) {
        try { u.status(s); } catch { /* a node being removed */ }
      }
    };
    const each = (fn: (l: SessionListener) => void) => {
      for (const l of listeners) {
        try { fn(l); } catch (e) { node.error(`listener failed: ${redact((e as Error).message, apiKey)}`); }
      }
    };

    if (setupProblem) {
      node.error(setupProblem);
    } else {
      realtime = new RealtimeSession({
        endpoint: settings.endpoint,
        model: settings.model,
        apiKey,
        config: toWireConfig(options),
        allowInsecure: settings.allowInsecure,
        userAgent: 'node-red-contrib-qwen-livetranslate',
        maxQueuedAudioBytes: settings.bufferBytes,
        maxSessionMs: settings.maxSessionMs,
        ...settings.tuning,
      });
      const session = realtime;
      const reportDrops = () => {
        dropTimer = undefined;
        const p = dropPending;
        dropPending = undefined;
        if (!p) return;
        const summary: DropSummary = {
          audioFrames: p.audioFrames,
          audioSeconds: Math.round((p.audioBytes / 32000) * 10) / 10,
          images: p.images,
          reasons: [...p.reasons],
          total: {
            audioFrames: dropTotal.audioFrames,
            audioSeconds: Math.round((dropTotal.audioBytes / 32000) * 10) / 10,
            images: dropTotal.images,
            audioFramesUnconfirmed: session.stats.audioFramesUnconfirmed,
          },
        };
        const what = [p.audioFrames ? `${p.audioFrames} audio frame(s) (${summary.audioSeconds} s)` : '', p.images ? `${p.images} image(s)` : '']
          .filter(Boolean).join(' and ');
        // During an outage the drops are told in the "still unreachable" warnings instead.
        if (!outage) warnings.warn('dropped', `${what} not sent: ${summary.reasons.join(', ')}`, () => `${dropTotal.audioFrames} audio frame(s) and ${dropTotal.images} image(s) not sent since the deploy`);
        showStatus();
        each((l) => l.dropped && l.dropped(summary));
      };
      realtime.on('dropped', (r: DropReport) => {
        dropTotal.audioFrames += r.audioFrames;
        dropTotal.audioBytes += r.audioBytes;
        dropTotal.images += r.images;
        // Closing: what dispose() drops is said once by the close handler, no report timer after it.
        if (closing) return;
        if (!dropPending) dropPending = { audioFrames: 0, audioBytes: 0, images: 0, reasons: new Set() };
        dropPending.audioFrames += r.audioFrames;
        dropPending.audioBytes += r.audioBytes;
        dropPending.images += r.images;
        dropPending.reasons.add(r.reason);
        if (!dropTimer) dropTimer = setTimeout(reportDrops, DROP_REPORT_MS);
      });
      realtime.on('state', (state, reason) => {
        activity.onState(state, reason);
        if (state === 'failed' && reason) node.error(reason.message);
        else if (state === 'closed' && reason && reason.retryAt !== undefined) noteUnreachable(session, reason.message);
        else if (state === 'closed' && reason && reason.message && !/^(closed|finished|rotating)$/.test(reason.message)) node.warn(reason.message);
        if (state === 'open' && outage) noteReachable(session);
        showStatus();
        ungreeted.clear();
        each((l) => l.state && l.state(state, reason));
      });
      realtime.on('event', (event) => {
        if (activity.onEvent(event)) showStatus();
        each((l) => l.event && l.event(event));
      });
      realtime.on('unknown', (type, raw) => each((l) => l.unknown && l.unknown(type, raw)));
      realtime.on('problem', (message, detail) => {
        node.warn(message);
        each((l) => l.problem && l.problem(message, detail));
      });
    }

    function noteUnreachable(session: RealtimeSession, message: string) {
      const first = !outage;
      if (!outage) outage = { since: Date.now(), droppedBefore: dropTotal.audioFrames, bytesBefore: dropTotal.audioBytes };
      const o = outage;
      // Worded when said, so it tells the state at that moment.
      const still = () => {
        const next = session.nextRetryAt;
        const attempts = (activity.reason && activity.reason.attempts) || session.stats.connects;
        const dropped = droppedSince(o);
        return `still unreachable, ${attempts} attempts, ` + (next !== undefined ? `next in ${formatSeconds(Math.max(0, next - Date.now()))} s` : 'trying now') +
          (dropped ? `; ${dropped} not sent so far` : '');
      };
      warnings.warn('unreachable', first ? message : still(), still);
    }
    function noteReachable(session: RealtimeSession) {
      const o = outage as { since: number; droppedBefore: number; bytesBefore: number };
      outage = undefined;
      warnings.reset('unreachable');
      const dropped = droppedSince(o);
      const text = `connected again after ${formatSeconds(Date.now() - o.since)} s (${session.stats.connects} connection attempts since the deploy)`;
      if (dropped) node.warn(`${text}; ${dropped} not sent meanwhile`);
      else node.log(text);
    }

    const armIdle = () => {
      if (settings.connectMode !== 'input' || !realtime) return;
      if (idleTimer) idleTimer.refresh();
      else idleTimer = setTimeout(() => {
        idleTimer = undefined;
        if (realtime) void realtime.finish();
      }, settings.idleTimeoutMs);
    };

    Object.defineProperties(node, {
      setupProblem: { get: () => setupProblem },
      options: { get: () => options },
      realtime: { get: () => realtime },
    });

    node.register = (user: StatusSink) => {
      users.add(user);
      showStatus();
      return () => { users.delete(user); };
    };
    node.subscribe = (listener: SessionListener) => {
      listeners.add(listener);
      ungreeted.add(listener);
      // The state so far (e.g. failed at deploy), once every node of the flow exists to receive it,
      // unless a newer state reached the listener first.
      const greet = setImmediate(() => {
        if (!ungreeted.delete(listener) || !listeners.has(listener) || !listener.state) return;
        if (setupProblem) listener.state('failed', { message: setupProblem, retry: false });
        else if (realtime && realtime.state !== 'idle') listener.state(realtime.state, activity.reason);
      });
      return () => { clearImmediate(greet); ungreeted.delete(listener); listeners.delete(listener); };
    };
    node.inputRefusal = () => {
      if (setupProblem) return setupProblem;
      if (realtime && realtime.state === 'failed') return (activity.reason && activity.reason.message) || 'the session failed';
      return undefined;
    };
    node.touch = () => {
      armIdle();
    };
    node.updateOptions = (change: Record<string, unknown>) => {
      const next = optionsFrom(change, options);
      const found = validateOptions(next);
      if (found.length > 0) throw new Error(`invalid session options: ${describeProblems(found)}`);
      const before = options;
      options = next;
      if (setupProblem && setupProblem.startsWith('invalid session configuration') && settings.endpoint) {
        // The settings were wrong; the new options are right, but the session was never made.
        node.warn('session options corrected at runtime; redeploy to apply them to the node settings');
      }
      if (realtime) realtime.update(wireUpdate(before, options));
    };
    node.connectNow = () => {
      if (realtime) realtime.connect();
    };
    node.finish = () => (realtime ? realtime.finish() : Promise.resolve());

    if (realtime && settings.connectMode === 'deploy') realtime.connect();

    node.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      warnings.close();
      clearTimeout(idleTimer);
      idleTimer = undefined;
      clearTimeout(dropTimer);
      dropTimer = undefined;
      const session = realtime;
      realtime = undefined;
      listeners.clear();
      if (!session) { done(); return; }
      const end = () => {
        const left = session.queuedAudioFrames;
        session.dispose();
        if (left > 0) node.warn(`${left} audio frame(s) still waiting for the connection were not sent`);
        done();
      };
      session.finish(CLOSE_FINISH_TIMEOUT_MS).then(end, end);
    });
  }

  registerNodeType<Def, { apiKey?: string }, LiveTranslateSessionNode>(RED, 'livetranslate-session', LiveTranslateSession, {
    credentials: { apiKey: { type: 'password' } },
  });
};

/**
 * Serves the protocol catalogue (languages, voices, validation) to the editor as a script, so the
 * edit dialog checks a configuration with the very function the runtime uses.
 */
function serveCatalog(RED: NodeAPI): void {
  let script: string | undefined;
  RED.httpAdmin.get('/qwen-livetranslate/catalog.js', RED.auth.needsPermission('livetranslate-session.read'), (_req, res) => {
    try {
      if (!script) {
        const source = readFileSync(join(__dirname, 'protocol', 'catalog.js'), 'utf8');
        script = `(function(){var exports={};var module={exports:exports};\n${source}\nwindow.QwenLiveTranslate=module.exports;})();\n`;
      }
      res.type('application/javascript').send(script);
    } catch (e) {
      res.status(500).type('text/plain').send(`catalogue unavailable: ${(e as Error).message}`);
    }
  });
}
