import { DEFAULT_MODEL } from './catalog';

export const ENDPOINTS = {
  cn: 'wss://dashscope.aliyuncs.com/api-ws/v1/realtime',
  intl: 'wss://dashscope-intl.aliyuncs.com/api-ws/v1/realtime',
} as const;

export type Region = keyof typeof ENDPOINTS;

/**
 * The WebSocket URL for a region (`cn`, `intl`) or a custom base URL (e.g. the simulator's),
 * with `?model=` added unless the custom URL already names one.
 */
export function endpointUrl(endpoint: string, model: string = DEFAULT_MODEL): string {
  const base = (ENDPOINTS as Record<string, string>)[endpoint] || endpoint;
  const url = new URL(base);
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new Error(`endpoint must be cn, intl or a ws:// or wss:// URL (got ${url.protocol}//)`);
  }
  if (!url.searchParams.has('model')) url.searchParams.set('model', model || DEFAULT_MODEL);
  return url.toString();
}

/** True for hosts that never leave the machine, where plain ws:// cannot leak a key. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}
