/**
 * Timestamps taken inside the one process, around our code and the peer's, without touching
 * either: WebSocket send/emit are wrapped (both the `ws` copy this package uses and the one
 * Node-RED's core websocket nodes use), and so are the entry and exit nodes' receive/send.
 *
 * - message → socket: from the moment a flow message enters the first node (audio-in, or the
 *   peer's function node) to the return of the ws send() that wrote the append frame.
 * - event → message: from the moment ws emits a server frame to the send() of the message it
 *   became, on the node that leaves it to the flow (translation-out, or the peer's function node).
 */
import { dirname } from 'node:path';
import OurWebSocket from 'ws';
import { nowMs } from './stats';

const APPEND_PREFIX = '{"type":"input_audio_buffer.append"';
const APPEND_PREFIX_BYTES = Buffer.from(APPEND_PREFIX, 'latin1');

/** An audio append frame, whichever form it is sent in: a string (the core nodes) or a Buffer (ours). */
export function isAppendFrame(data: unknown): boolean {
  if (typeof data === 'string') return data.startsWith(APPEND_PREFIX);
  if (data instanceof Uint8Array) {
    const n = APPEND_PREFIX_BYTES.length;
    return data.length >= n && Buffer.compare(APPEND_PREFIX_BYTES, Buffer.from(data.buffer, data.byteOffset, n)) === 0;
  }
  return false;
}

export class Lane {
  /** Entry time of the last message that has not yet produced an append. */
  t0 = -1;
  /** When the last server frame arrived on this lane's socket (ours: handled in the same call). */
  tRecv = -1;
  sendLatency: number[] = [];
  recvLatency: number[] = [];
  appendsSent = 0;
  /** Every append frame seen on this lane's socket, recorded or not (checked against frames handed). */
  appendsSeen = 0;
  messagesOut = 0;
  recording = false;
  /** Remember each frame's arrival (for exits a Node-RED hop away from the socket). */
  trackArrivals = false;

  reset(): void {
    this.sendLatency = [];
    this.recvLatency = [];
    this.appendsSent = 0;
    this.messagesOut = 0;
    this.t0 = -1;
  }
}

const bySocket = new WeakMap<object, Lane>();
/**
 * Arrival time of each frame (the peer's frames travel through a Node-RED hop before they are
 * handled). Keyed by the frame itself: a Buffer (ws 8) or a string (ws 7, which Node-RED's core
 * nodes use); each entry is taken out when it is looked up.
 */
const arrivals = new Map<unknown, number>();

type Proto = { send(data: unknown, ...rest: unknown[]): void; emit(event: string | symbol, ...args: unknown[]): boolean };

function patch(proto: Proto): void {
  const send = proto.send;
  const emit = proto.emit;
  proto.send = function (this: object, data: unknown, ...rest: unknown[]) {
    send.call(this, data, ...rest);
    const lane = bySocket.get(this);
    if (lane && isAppendFrame(data)) {
      lane.appendsSent++;
      lane.appendsSeen++;
      if (lane.t0 >= 0 && lane.recording) lane.sendLatency.push(nowMs() - lane.t0);
      lane.t0 = -1;
    }
  } as Proto['send'];
  proto.emit = function (this: object, event: string | symbol, ...args: unknown[]) {
    if (event === 'message') {
      const lane = bySocket.get(this);
      if (lane) {
        const t = nowMs();
        lane.tRecv = t;
        if (lane.trackArrivals) arrivals.set(args[0], t);
      }
    }
    return emit.call(this, event, ...args);
  };
}

let patched = false;
export function installProbes(): void {
  if (patched) return;
  patched = true;
  const coreDir = dirname(require.resolve('@node-red/nodes/core/network/22-websocket.js'));
  const CoreWebSocket = require(require.resolve('ws', { paths: [coreDir] })) as typeof OurWebSocket;
  patch(OurWebSocket.prototype as unknown as Proto);
  if (CoreWebSocket !== OurWebSocket) patch(CoreWebSocket.prototype as unknown as Proto);
}

export function attachSocket(socket: object, lane: Lane): void {
  bySocket.set(socket, lane);
}

interface SendingNode { send(msg: unknown): void; receive(msg: object): void }

/** Times the messages a node sends against the frame that caused them. */
export function watchExit(node: SendingNode, lane: Lane, mode: 'same-call' | 'by-payload'): void {
  const send = node.send.bind(node);
  if (mode === 'by-payload') {
    lane.trackArrivals = true;
    const receive = node.receive.bind(node);
    node.receive = (msg: object) => {
      const key = (msg as { payload?: unknown }).payload;
      const t = arrivals.get(key);
      arrivals.delete(key);
      lane.tRecv = t === undefined ? -1 : t;
      receive(msg);
    };
  }
  node.send = (msg: unknown) => {
    if (lane.recording && lane.tRecv >= 0) {
      const n = Array.isArray(msg) ? msg.filter((m) => m).length : 1;
      const dt = nowMs() - lane.tRecv;
      for (let i = 0; i < n; i++) lane.recvLatency.push(dt);
      lane.messagesOut += n;
    }
    send(msg);
  };
}
