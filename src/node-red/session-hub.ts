/**
 * The nodes that use one livetranslate-session, as Node-RED's MQTT broker node keeps its users:
 * status sinks register and deregister, listeners subscribe; the hub fans the session's status and
 * events out to them. Knows nothing of the connection: the session node tells it what to show.
 *
 * Removal vs redeploy, as in the MQTT node: a user that is redeployed comes straight back (a new
 * instance registers), so its leaving changes nothing; a user that is removed for good and was the
 * last one leaves a session nobody uses, so `onUnused` runs (the session node finishes the session:
 * an open socket with no user is billed for nothing). It runs after a grace period with still no
 * user: one deploy can stop a redeployed user and remove the others before the new instance of the
 * first registers again. When the session node itself closes, its
 * listeners are dropped either way (a new instance, or none, replaces it); on removal the users'
 * status is also blanked, since no session will update it again.
 */
import type { NodeStatus } from 'node-red';
import type { SessionListener, StatusSink } from './session-node';

export interface HubOptions {
  /** A listener threw: the session node logs it (redacted); the others still hear the event. */
  listenerFailed(error: Error): void;
  /** What a new listener hears first (the state so far), once the flow's nodes all exist. */
  greeting(listener: SessionListener): void;
  /** The last user was removed (not redeployed) and none came back within `unusedGraceMs`. */
  onUnused?(): void;
  /** Default 1000 ms: a deploy restarts its nodes well within it. */
  unusedGraceMs?: number;
}

export class SessionHub {
  private readonly users = new Set<StatusSink>();
  private readonly listeners = new Set<SessionListener>();
  /** Listeners whose greeting is still due and that no newer state has reached. */
  private readonly ungreeted = new Set<SessionListener>();
  private readonly opts: HubOptions;
  private shown: NodeStatus = {};
  private closed = false;
  private unusedTimer: NodeJS.Timeout | undefined;

  constructor(opts: HubOptions) {
    this.opts = opts;
  }

  get userCount(): number { return this.users.size; }
  get listenerCount(): number { return this.listeners.size; }

  /** Adds a user; it sees the current status at once. Returns its deregister, which takes `removed`. */
  register(user: StatusSink): (removed?: boolean) => void {
    if (this.closed) return () => undefined;
    this.users.add(user);
    clearTimeout(this.unusedTimer);
    this.unusedTimer = undefined;
    this.tell(user, this.shown);
    return (removed = false) => this.deregister(user, removed);
  }

  deregister(user: StatusSink, removed = false): void {
    if (!this.users.delete(user)) return;
    const onUnused = this.opts.onUnused;
    if (!removed || this.users.size > 0 || this.closed || !onUnused || this.unusedTimer) return;
    this.unusedTimer = setTimeout(() => {
      this.unusedTimer = undefined;
      if (this.users.size === 0 && !this.closed) onUnused();
    }, this.opts.unusedGraceMs ?? 1000);
  }

  subscribe(listener: SessionListener): () => void {
    if (this.closed) return () => undefined;
    this.listeners.add(listener);
    this.ungreeted.add(listener);
    const greet = setImmediate(() => {
      if (this.ungreeted.delete(listener) && this.listeners.has(listener)) this.opts.greeting(listener);
    });
    return () => { clearImmediate(greet); this.ungreeted.delete(listener); this.listeners.delete(listener); };
  }

  /** Shows `status` on every user (a user that fails, e.g. one being removed, does not stop the rest). */
  showStatus(status: NodeStatus): void {
    this.shown = status;
    for (const u of this.users) this.tell(u, status);
  }

  /** A new state reached every listener: no greeting is due any more (it would be older news). */
  stateReached(): void {
    this.ungreeted.clear();
  }

  /** Calls `fn` for every listener; one that throws is reported and does not stop the others. */
  each(fn: (l: SessionListener) => void): void {
    for (const l of this.listeners) {
      try { fn(l); } catch (e) { this.opts.listenerFailed(e as Error); }
    }
  }

  /** The session node closes: listeners go; on removal the users' status is blanked and they are forgotten. */
  close(removed: boolean): void {
    this.closed = true;
    clearTimeout(this.unusedTimer);
    this.unusedTimer = undefined;
    this.listeners.clear();
    this.ungreeted.clear();
    if (removed) {
      for (const u of this.users) this.tell(u, {});
      this.users.clear();
    }
  }

  private tell(user: StatusSink, status: NodeStatus): void {
    try { user.status(status); } catch { /* a node being removed */ }
  }
}
