/**
 * Answers a GET or HEAD for one stored file the way media players expect: Content-Type,
 * Content-Length, Accept-Ranges, a single byte range (206 + Content-Range; 416 when it cannot be
 * met), If-Range. Chromecast, Sonos and browsers ask for ranges to seek and to probe a file's end.
 * Plain Node http types, so it works under Express (Node-RED's httpNode) and a bare http.Server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoredAudio } from '../../media/audio-store';

export type RangeAnswer =
  | { kind: 'whole' }
  | { kind: 'part'; start: number; end: number }
  | { kind: 'unsatisfiable' };

/**
 * Reads a Range header against a body of `size` bytes (RFC 9110 §14). Only one range is honoured:
 * a header with several, or one that is malformed, is ignored and the whole body is sent, as the
 * RFC allows.
 */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (!header) return { kind: 'whole' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' };
  let start: number;
  let end: number;
  if (m[1] === '') {
    // "bytes=-N": the last N bytes
    const n = Number(m[2]);
    if (n === 0) return { kind: 'unsatisfiable' };
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return { kind: 'whole' }; // invalid, so ignored
  }
  if (start >= size || size === 0) return { kind: 'unsatisfiable' };
  return { kind: 'part', start, end };
}

function etagOf(file: StoredAudio): string {
  return `"${file.id}"`;
}

/** Sends `file` (or a 404 when there is none) as the answer to `req`. */
export function serveAudio(file: StoredAudio | undefined, req: IncomingMessage, res: ServerResponse, now = Date.now()): void {
  const method = (req.method || 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': '0' }).end();
    return;
  }
  if (!file) {
    const text = 'Not found: this audio has expired or never existed.\n';
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), 'Cache-Control': 'no-store' });
    res.end(method === 'HEAD' ? undefined : text);
    return;
  }
  const size = file.body.length;
  const headers: Record<string, string> = {
    'Content-Type': file.contentType,
    'Accept-Ranges': 'bytes',
    ETag: etagOf(file),
    'Last-Modified': new Date(file.created).toUTCString(),
    // The bytes never change while the file lives; a player may cache them until then.
    'Cache-Control': `private, max-age=${Math.max(0, Math.floor((file.expires - now) / 1000))}`,
    'X-Content-Type-Options': 'nosniff',
  };
  const ifRange = req.headers['if-range'];
  const range = ifRange && ifRange !== etagOf(file) ? { kind: 'whole' as const } : parseRange(req.headers.range, size);
  if (range.kind === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': '0' }).end();
    return;
  }
  const [status, body] = range.kind === 'part' ? [206, file.body.subarray(range.start, range.end + 1)] : [200, file.body];
  if (range.kind === 'part') headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
  headers['Content-Length'] = String(body.length);
  res.writeHead(status, headers);
  res.end(method === 'HEAD' ? undefined : body);
}
