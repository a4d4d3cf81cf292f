/**
 * Serves a translation-out node's audio files on Node-RED's own HTTP server (RED.httpNode), so
 * httpNodeAuth applies as to every http-in route, and httpNodeMiddleware is run first as http-in
 * does. One route per node, `<httpNodeRoot>livetranslate/audio/<node id>/<file id>.wav`, removed
 * when the node closes (redeploy), after which its URLs answer 404.
 */
import type { NodeAPI } from 'node-red';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveAudio } from '../output/served-audio/http-range';
import { ServedAudio, SERVED_AUDIO_DEFAULTS } from '../output/served-audio/served-audio';
import { checkBaseUrl, defaultBaseUrl, type HttpSettings } from '../output/served-audio/public-url';

type Handler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
interface Layer { route?: { stack: Array<{ handle: unknown }> } }
interface RoutedApp { get(path: string, ...h: Handler[]): unknown; _router?: { stack: Layer[] }; router?: { stack: Layer[] } }

export interface AudioRouteConfig {
  nodeId: string;
  /** The base URL set in the node; blank = derived from Node-RED's settings. */
  baseUrl?: string;
  keepSeconds?: unknown;
  keepCount?: unknown;
}

export interface MountedAudio { served: ServedAudio; unmount(): void }

const positive = (v: unknown, fallback: number): number => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && isFinite(n) && n > 0 ? n : fallback;
};

/** The path under httpNodeRoot where one node's files live (no leading slash). */
export function audioFolder(nodeId: string): string {
  return `livetranslate/audio/${encodeURIComponent(nodeId)}/`;
}

export function mountAudioRoute(RED: NodeAPI, cfg: AudioRouteConfig): MountedAudio {
  const settings = RED.settings as unknown as HttpSettings & { httpNodeMiddleware?: unknown };
  if (settings.httpNodeRoot === false) throw new Error('audio by URL needs Node-RED\'s HTTP nodes, but httpNodeRoot is false in settings.js');
  const base = cfg.baseUrl && cfg.baseUrl.trim() ? checkBaseUrl(cfg.baseUrl) : defaultBaseUrl(settings);
  const folder = audioFolder(cfg.nodeId);
  const served = new ServedAudio({
    folderUrl: base + folder,
    maxAgeMs: positive(cfg.keepSeconds, SERVED_AUDIO_DEFAULTS.maxAgeMs / 1000) * 1000,
    maxCount: Math.floor(positive(cfg.keepCount, SERVED_AUDIO_DEFAULTS.maxCount)),
    maxBytes: SERVED_AUDIO_DEFAULTS.maxBytes,
  });
  const handler: Handler = (req, res) => {
    const name = /^([A-Za-z0-9_-]+)\.([a-z0-9]+)$/.exec((req as unknown as { params: { file: string } }).params.file || '');
    const file = name ? served.store.get(name[1]) : undefined;
    serveAudio(file && file.extension === name![2] ? file : undefined, req, res);
  };
  const mw = settings.httpNodeMiddleware;
  const before: Handler[] = typeof mw === 'function' ? [mw as Handler] : Array.isArray(mw) ? (mw as Handler[]) : [];
  const app = RED.httpNode as unknown as RoutedApp;
  app.get('/' + folder + ':file', ...before, handler);
  return {
    served,
    unmount() {
      served.close();
      // Express has no way to remove a route; http-in removes its own from the router's stack too.
      const router = app._router || app.router;
      if (!router) return;
      for (let i = router.stack.length - 1; i >= 0; i--) {
        const route = router.stack[i].route;
        if (route && route.stack.some((l) => l.handle === handler)) router.stack.splice(i, 1);
      }
    },
  };
}

/** Lets the editor show the default base URL: GET <httpAdminRoot>livetranslate/audio-base-url. */
export function registerBaseUrlEndpoint(RED: NodeAPI, permission: string): void {
  RED.httpAdmin.get('/livetranslate/audio-base-url', RED.auth.needsPermission(permission), (_req, res) => {
    res.json({ url: defaultBaseUrl(RED.settings as unknown as HttpSettings) });
  });
}
