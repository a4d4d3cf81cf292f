/**
 * The address players use to fetch served audio. Players on the network (a Home Assistant speaker,
 * a Chromecast) reach Node-RED by its LAN address, never by `localhost`, so the default is built
 * from the host's first non-internal IPv4 address, the port Node-RED listens on and its httpNodeRoot.
 * A user who knows better (a reverse proxy, a host name, https) sets the base URL explicitly.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export interface HttpSettings {
  uiHost?: unknown;
  uiPort?: unknown;
  httpNodeRoot?: unknown;
  https?: unknown;
}

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** The first IPv4 address that is not loopback, or undefined on a machine without a network. */
export function lanAddress(interfaces: Interfaces = networkInterfaces()): string | undefined {
  for (const list of Object.values(interfaces)) {
    for (const a of list || []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/** `http://192.168.1.20:1880/` for a default install; the httpNodeRoot path is kept. */
export function defaultBaseUrl(settings: HttpSettings, interfaces?: Interfaces): string {
  const bound = typeof settings.uiHost === 'string' ? settings.uiHost.trim() : '';
  // Node-RED bound to one address (e.g. 127.0.0.1) is reachable only there.
  const anyAddress = bound === '' || bound === '0.0.0.0' || bound === '::';
  const host = anyAddress ? lanAddress(interfaces) || '127.0.0.1' : bound;
  const port = Number(settings.uiPort) > 0 ? Number(settings.uiPort) : 1880;
  const scheme = settings.https ? 'https' : 'http';
  const root = typeof settings.httpNodeRoot === 'string' ? settings.httpNodeRoot : '/';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return withSlash(`${scheme}://${hostPart}:${port}${root.startsWith('/') ? root : '/' + root}`);
}

/** Checks a user's base URL: absolute http(s), ends with a slash so paths append cleanly. */
export function checkBaseUrl(value: string): string {
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    throw new TypeError(`audio base URL "${value}" is not an absolute URL (e.g. http://192.168.1.20:1880/)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`audio base URL must be http:// or https://, got ${u.protocol}`);
  if (u.search || u.hash) throw new TypeError('audio base URL must not have a query or a fragment');
  return withSlash(u.toString());
}

function withSlash(s: string): string {
  return s.endsWith('/') ? s : s + '/';
}
