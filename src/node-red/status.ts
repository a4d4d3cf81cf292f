/**
 * Node status (the coloured dot under a node) for a session's activity. Texts stay under 20
 * characters; the full reason goes to the log and the events output.
 */
import type { NodeStatus } from 'node-red';
import type { Activity, StateReason } from '../client';

export type Translate = (key: string) => string;

export function statusFor(activity: Activity, reason: StateReason | undefined, t: Translate): NodeStatus {
  switch (activity) {
    case 'idle': return { fill: 'grey', shape: 'ring', text: t('status.idle') };
    case 'connecting': return { fill: 'yellow', shape: 'ring', text: t('status.connecting') };
    case 'connected': return { fill: 'green', shape: 'dot', text: t('status.connected') };
    case 'speaking': return { fill: 'green', shape: 'dot', text: t('status.speaking') };
    case 'translating': return { fill: 'green', shape: 'ring', text: t('status.translating') };
    case 'finishing': return { fill: 'yellow', shape: 'dot', text: t('status.finishing') };
    case 'disconnected':
      // The time of the next attempt: true until it happens (a countdown would need a timer).
      if (reason && reason.retryAt !== undefined) return { fill: 'yellow', shape: 'ring', text: `${t('status.retrying')} ${clock(reason.retryAt)}` };
      return { fill: 'grey', shape: 'ring', text: t('status.disconnected') };
    case 'failed': return { fill: 'red', shape: 'ring', text: shortReason(reason, t) };
  }
}

/** A few words for a failure; the status bar has no room for the service's sentence. */
export function shortReason(reason: StateReason | undefined, t: Translate): string {
  if (!reason) return t('status.error');
  const code = reason.code;
  if (code === 401 || code === 403) return t('status.badkey');
  if (/no API key/i.test(reason.message)) return t('status.nokey');
  if (/invalid session configuration/i.test(reason.message)) return t('status.badconfig');
  if (/refusing plain ws/i.test(reason.message)) return t('status.insecure');
  return t('status.error');
}

/**
 * The status with the count of what never reached the service, e.g. "connected (12 dropped)":
 * the count is of audio frames (100 ms each) and images dropped since the deploy.
 */
export function withDrops(status: NodeStatus, dropped: number, t: Translate): NodeStatus {
  // While waiting to retry, the time of the retry fills the status; the warnings tell the drops.
  if (!dropped || isRetryStatus(status)) return status;
  const text = t('status.dropped').replace('__status__', String(status.text || '')).replace('__count__', String(dropped));
  return { ...status, text };
}

/** HH:MM:SS, local time of the Node-RED host. */
function clock(epochMs: number): string {
  return new Date(epochMs).toTimeString().slice(0, 8);
}

function isRetryStatus(status: NodeStatus): boolean {
  return /\d\d:\d\d:\d\d$/.test(String(status.text || ''));
}
