export * from './realtime-session';
export { Backoff, DEFAULT_BACKOFF } from './backoff';
export { redact } from './redact';
export { ActivityTracker, type Activity } from './activity';
export { sentEstimate, type SentEstimate } from './audio-ledger';
