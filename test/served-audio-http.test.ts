/**
 * Serving a stored file to real HTTP clients: Node's fetch with Range and HEAD against a real
 * http.Server, and sox reading what was fetched.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AudioStore } from '../src/media/audio-store';
import { serveAudio } from '../src/output/served-audio/http-range';
import { encodeWav } from '../src/media/audio/wav';

function tone(seconds: number, rate = 24000): Buffer {
  const pcm = Buffer.alloc(Math.round(seconds * rate) * 2);
  for (let i = 0; i < pcm.length / 2; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  return encodeWav(pcm, rate, 1);
}

describe('serving stored audio over HTTP', function () {
  let server: Server;
  let base: string;
  let store: AudioStore;
  let wav: Buffer;
  let url: string;
  let dir: string;

  before(async function () {
    store = new AudioStore({ maxAgeMs: 60_000, maxCount: 10, maxBytes: 1 << 22 });
    server = createServer((req, res) => serveAudio(store.get((req.url || '').slice(1).replace(/\.wav$/, '')), req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
    wav = tone(1.5);
    url = base + store.put(wav, 'audio/wav', 'wav').id + '.wav';
    dir = mkdtempSync(join(tmpdir(), 'served-audio-'));
  });

  after(async function () {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('GET: the whole WAV with its type, length and Accept-Ranges; sox reads it as 1.5 s of 24 kHz mono', async function () {
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/wav');
    assert.equal(res.headers.get('content-length'), String(wav.length));
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.match(res.headers.get('cache-control') || '', /^private, max-age=(59|60)$/);
    const body = Buffer.from(await res.arrayBuffer());
    assert.ok(body.equals(wav));
    const file = join(dir, 'fetched.wav');
    writeFileSync(file, body);
    assert.equal(execFileSync('soxi', ['-D', file]).toString().trim(), '1.500000');
    assert.equal(execFileSync('soxi', ['-r', file]).toString().trim(), '24000');
    assert.equal(execFileSync('soxi', ['-c', file]).toString().trim(), '1');
  });

  it('HEAD: the same headers, no body', async function () {
    const res = await fetch(url, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(wav.length));
    assert.equal(res.headers.get('content-type'), 'audio/wav');
    assert.equal((await res.arrayBuffer()).byteLength, 0);
  });

  it('Range: 206 with Content-Range and exactly the bytes asked for (start-end, open end, suffix)', async function () {
    for (const [range, start, end] of [['bytes=0-43', 0, 43], ['bytes=1000-', 1000, wav.length - 1], ['bytes=-500', wav.length - 500, wav.length - 1]] as const) {
      const res = await fetch(url, { headers: { Range: range } });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${wav.length}`);
      assert.equal(res.headers.get('content-length'), String(end - start + 1));
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(wav.subarray(start, end + 1)), range);
    }
  });

  it('Range past the end: 416 with bytes */size; HEAD with a range: 206 headers, no body', async function () {
    const res = await fetch(url, { headers: { Range: `bytes=${wav.length}-` } });
    assert.equal(res.status, 416);
    assert.equal(res.headers.get('content-range'), `bytes */${wav.length}`);
    const head = await fetch(url, { method: 'HEAD', headers: { Range: 'bytes=10-19' } });
    assert.equal(head.status, 206);
    assert.equal(head.headers.get('content-length'), '10');
    assert.equal((await head.arrayBuffer()).byteLength, 0);
  });

  it('If-Range with another validator, or several ranges: the whole file (200)', async function () {
    const stale = await fetch(url, { headers: { Range: 'bytes=0-9', 'If-Range': '"something-else"' } });
    assert.equal(stale.status, 200);
    assert.equal((await stale.arrayBuffer()).byteLength, wav.length);
    const fresh = await fetch(url, { headers: { Range: 'bytes=0-9', 'If-Range': stale.headers.get('etag') || '' } });
    assert.equal(fresh.status, 206);
    await fresh.arrayBuffer();
    const multi = await fetch(url, { headers: { Range: 'bytes=0-9,20-29' } });
    assert.equal(multi.status, 200);
    assert.equal((await multi.arrayBuffer()).byteLength, wav.length);
  });

  it('an unknown id: 404 for GET and HEAD; a method other than GET/HEAD: 405', async function () {
    const res = await fetch(base + 'AAAAAAAAAAAAAAAAAAAAAA.wav');
    assert.equal(res.status, 404);
    assert.match(await res.text(), /expired or never existed/);
    assert.equal((await fetch(base + 'nope.wav', { method: 'HEAD' })).status, 404);
    const post = await fetch(url, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });
});
