/**
 * The sessions an input node feeds: its own session, and for audio in up to two more that get the same
 * converted frames (the media is decoded once, whatever the number of languages). The node's status
 * mirrors its first session; it is a user of every session, each of which is checked, kept awake and
 * controlled.
 */
import type { Node, NodeAPI, NodeStatus } from 'node-red';
import type { LiveTranslateSessionNode } from './session-node';
import { runControlAction, type ControlMessage } from './control';
import { shortReason } from './status';
import { sessionTexts, type Texts } from './texts';

export class InputTargets {
  readonly sessions: LiveTranslateSessionNode[];
  private readonly unregister: Array<(removed?: boolean) => void> = [];
  private readonly texts: Texts;

  constructor(RED: NodeAPI, private readonly node: Node, ids: Array<string | undefined>, status?: (s: NodeStatus) => void) {
    this.texts = sessionTexts(RED);
    const found = ids.filter((id): id is string => !!id).map((id) => RED.nodes.getNode(id) as LiveTranslateSessionNode | null);
    this.sessions = found.filter((s, i): s is LiveTranslateSessionNode => !!s && found.indexOf(s) === i);
    const main = ids[0] ? this.sessions[0] : undefined;
    if (!main) node.status({ fill: 'red', shape: 'ring', text: this.texts('status.nosession') });
    else this.unregister.push(main.register(status ? { status } : node));
    // The other sessions count this node among their users (removing their last other user must not
    // finish a session this node still feeds) without writing over its status.
    for (const s of this.sessions) if (s !== main) this.unregister.push(s.register({ status: () => undefined }));
  }

  /**
   * Throws when the node has no session, or when no session takes input now (a refused key...): the
   * status then says why, in the session's own words. Returns the refusals of the others, if any.
   */
  check(what: string): string | undefined {
    if (this.sessions.length === 0) throw new Error('no livetranslate-session configured for this node');
    // Every message of a live stream comes here: the usual answer (all take input) allocates nothing.
    if (this.sessions.every((s) => s.inputRefusal() === undefined)) return undefined;
    const refusals = this.sessions.map((s) => s.inputRefusal());
    const first = refusals.find((r) => r !== undefined);
    if (first === undefined) return undefined;
    const code = Number(/\(HTTP (\d{3})\)/.exec(first)?.[1]) || undefined;
    const text = shortReason({ message: first, code, retry: false }, this.texts);
    if (refusals.every((r) => r !== undefined)) {
      this.node.status({ fill: 'red', shape: 'ring', text });
      throw new Error(`${what} not sent: ${first}`);
    }
    return `${what} not sent to every session: ${first}`;
  }

  /** Notes input (keeps on-input sessions from idling out). */
  touch(): void {
    for (const s of this.sessions) s.touch();
  }

  sendAudio(frame: Buffer): void {
    for (const s of this.sessions) if (s.realtime && !s.inputRefusal()) s.realtime.appendAudio(frame);
  }

  connect(): void {
    for (const s of this.sessions) s.connectNow();
  }

  finish(): Promise<void> {
    return Promise.all(this.sessions.map((s) => s.finish())).then(() => undefined);
  }

  /** msg.action: connect/disconnect/finish reach every session; update changes the first one only. */
  async control(msg: ControlMessage): Promise<void> {
    if (this.sessions.length === 0) throw new Error('no livetranslate-session configured for this node');
    if (msg.action === 'update') return runControlAction(this.sessions[0], msg);
    await Promise.all(this.sessions.map((s) => runControlAction(s, msg)));
  }

  /** Deregisters from the session (`removed`: the node is gone for good, not redeployed) and clears the node's status. */
  close(removed = false): void {
    for (const u of this.unregister.splice(0)) u(removed);
    this.node.status({});
  }
}
