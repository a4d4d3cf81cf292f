import { DEFAULT_MODEL } from './catalog';

export const ENDPOINTS = {
  cn: 'wss://dashscope.aliyuncs.com/api-ws/v1/realtime',
  intl: 'wss://dashscope-intl.aliyuncs.com/api-ws/v1/realtime',
} as const;

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

/**
 * True for hosts that never leave the machine, where plain ws:// cannot leak a key: only the
 * literal loopback addresses (127.0.0.0/8, ::1) and `localhost`. A name that merely starts with
 * "127." (`127.attacker.example`) is resolved by DNS and may be anywhere.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const quad = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return !!quad && quad.slice(1).every((n) => Number(n) <= 255);
}
