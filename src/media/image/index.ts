/** Image input for the service: sniff, coerce, budget, normalise to JPEG, rate-limit. No Node-RED here. */
export * from './errors';
export * from './sniff';
export * from './budget';
export * from './normalize';
export * from './rate-limiter';
export * from './scene';
export * from './uplink';
export * from './speech-window';
