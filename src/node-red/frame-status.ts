/** An input node's status: its session's, with the node's own frame counts once frames flow and all is well. */
import type { NodeAPI, NodeStatus } from 'node-red';

export function withFrameCounts(RED: NodeAPI, session: NodeStatus, sent: number, dropped: number): NodeStatus {
  if (sent + dropped === 0 || session.fill !== 'green') return session;
  const key = 'livetranslate-image-in.status.frames';
  const text = RED._(key, { sent, dropped });
  return { fill: 'green', shape: session.shape || 'dot', text: text === key ? `${sent} sent, ${dropped} dropped` : text };
}
