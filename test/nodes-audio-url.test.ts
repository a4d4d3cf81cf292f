/**
 * translation-out's "audio by URL" in a real Node-RED runtime: each utterance's translated speech is
 * served on RED.httpNode (here mounted on a real http.Server) and leaves as its absolute URL with
 * its type, duration and the ids of the text it speaks. Fetched by Node's fetch, read by soxi.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type RequestListener, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator } from '../src/simulator';
import { ALL_NODES, helper, loadFlow, capture, sessionConfig, waitFor, type Captured } from './support/red';
import { speechFile } from './support/fixtures';

const SENTENCES = ['Good morning everyone.', 'The train to the airport leaves from platform two.'];
const SCRIPT = [
  { transcript: SENTENCES[0], translation: '皆さん、おはようございます。' },
  { transcript: SENTENCES[1], translation: '空港行きの電車は2番線から出発します。' },
];

describe('translation out: audio by URL, served by Node-RED', function () {
  this.timeout(30000);
  let sim: Simulator;
  let simUrl: string;
  let server: Server;
  let base: string;
  let httpNode: RequestListener | undefined;
  let dir: string;
  /** A stand-in "module" that hands the test the runtime's httpNode app, which the test helper does not serve. */
  const grabHttpNode = (RED: { httpNode: RequestListener }) => { httpNode = RED.httpNode; };

  before(async function () {
    server = createServer((req, res) => {
      if (httpNode) httpNode(req, res);
      else res.writeHead(503).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
    dir = mkdtempSync(join(tmpdir(), 'audio-url-'));
  });

  after(async function () {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async function () {
    sim = new Simulator({ script: SCRIPT, realtime: false });
    simUrl = await sim.start();
  });

  afterEach(async function () {
    await helper.unload();
    await sim.stop();
  });

  function flow(extra: Record<string, unknown> = {}) {
    return [
      sessionConfig({ url: simUrl, targetLanguage: 'ja' }),
      { id: 'in1', type: 'livetranslate-audio-in', session: 'sess1', pacing: 'fast', endSilence: 1, wires: [] },
      { id: 'out1', type: 'livetranslate-translation-out', session: 'sess1', partials: false, audioFormat: 'url', audioBaseUrl: base, wires: [[], [], [], []], ...extra },
    ];
  }

  async function speak(got: Captured[], sentences: string[]): Promise<Captured[]> {
    for (const [i, s] of sentences.entries()) {
      helper.getNode('in1').receive({ payload: readFileSync(speechFile(s, { rate: 16000 })) });
      await waitFor(() => got.filter((c) => c.port === 3 && c.msg.topic === 'response.done').length > i, 15000, `response ${i + 1}`);
    }
    return got.filter((c) => c.port === 2);
  }

  async function fetchToFile(url: string, name: string): Promise<string> {
    const res = await fetch(url);
    assert.equal(res.status, 200, url);
    const file = join(dir, name);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    return file;
  }

  it('emits one absolute URL per utterance with type, duration and ids; the URL serves that WAV', async function () {
    await loadFlow(flow(), { sess1: { apiKey: 'sk-test-123456' } }, [...ALL_NODES, grabHttpNode]);
    const got = capture(helper.getNode('out1'));
    await waitFor(() => sim.sessions.length > 0, 5000, 'session');
    const audio = await speak(got, SENTENCES);
    const finals = got.filter((c) => c.port === 0 && c.msg.partial === false);

    assert.equal(audio.length, 2, 'one audio message per utterance');
    for (const [i, a] of audio.entries()) {
      const m = a.msg;
      assert.equal(typeof m.payload, 'string');
      assert.match(m.payload as string, new RegExp(`^${base}livetranslate/audio/out1/[A-Za-z0-9_-]{22}\\.wav$`));
      assert.equal(m.contentType, 'audio/wav');
      assert.equal(m.topic, 'audio');
      assert.equal(m.responseId, finals[i].msg.responseId);
      assert.equal(m.itemId, finals[i].msg.itemId);
      assert.equal(m.utterance, i + 1);
      assert.equal(m.translation, SCRIPT[i].translation);
      assert.ok(typeof m.duration === 'number' && m.duration > 0.3, `duration ${String(m.duration)}`);
      assert.ok(Date.parse(m.expires as string) > Date.now());

      const file = await fetchToFile(m.payload as string, `u${i}.wav`);
      const soxSeconds = Number(execFileSync('soxi', ['-D', file]).toString());
      assert.ok(Math.abs(soxSeconds - (m.duration as number)) < 1e-3, `sox reads ${soxSeconds} s, msg says ${String(m.duration)}`);
      assert.equal(execFileSync('soxi', ['-r', file]).toString().trim(), '24000');
      assert.equal((m.bytes as number), readFileSync(file).length);
    }
    assert.notEqual(audio[0].msg.payload, audio[1].msg.payload);

    // Range and HEAD through Node-RED's own HTTP nodes app (Express)
    const url = audio[1].msg.payload as string;
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('accept-ranges'), 'bytes');
    assert.equal(head.headers.get('content-length'), String(audio[1].msg.bytes));
    const part = await fetch(url, { headers: { Range: 'bytes=0-11' } });
    assert.equal(part.status, 206);
    assert.equal(Buffer.from(await part.arrayBuffer()).toString('latin1', 0, 4), 'RIFF');
  });

  it('keeps only the last audioKeepCount files; unknown ids, other nodes and path tricks answer 404', async function () {
    await loadFlow(flow({ audioKeepCount: 1 }), { sess1: { apiKey: 'sk-test-123456' } }, [...ALL_NODES, grabHttpNode]);
    const got = capture(helper.getNode('out1'));
    await waitFor(() => sim.sessions.length > 0, 5000, 'session');
    const audio = await speak(got, SENTENCES);
    const [first, second] = audio.map((a) => a.msg.payload as string);
    assert.equal((await fetch(first)).status, 404, 'the older file outlived the count limit');
    assert.equal((await fetch(second)).status, 200);
    const id = /\/([^/]+)\.wav$/.exec(second)![1];
    for (const path of [
      `livetranslate/audio/out1/AAAAAAAAAAAAAAAAAAAAAA.wav`,
      `livetranslate/audio/out1/${id}.mp3`,
      `livetranslate/audio/other/${id}.wav`,
      `livetranslate/audio/out1/..%2F..%2F..%2Fpackage.json`,
      `livetranslate/audio/out1/%2E%2E%2Fsettings.js`,
      `livetranslate/audio/out1/../../package.json`,
    ]) {
      const res = await fetch(base + path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(await res.text(), /"name"|RIFF/, path);
    }
  });

  it('files expire after audioKeepSeconds', async function () {
    await loadFlow(flow({ audioKeepSeconds: 0.2 }), { sess1: { apiKey: 'sk-test-123456' } }, [...ALL_NODES, grabHttpNode]);
    const got = capture(helper.getNode('out1'));
    await waitFor(() => sim.sessions.length > 0, 5000, 'session');
    const [a] = await speak(got, SENTENCES.slice(0, 1));
    const expires = Date.parse(a.msg.expires as string);
    await waitFor(() => Date.now() > expires + 20, 5000, 'expiry');
    assert.equal((await fetch(a.msg.payload as string)).status, 404);
  });

  it('redeploy removes the route and the files: the old URL answers 404', async function () {
    await loadFlow(flow(), { sess1: { apiKey: 'sk-test-123456' } }, [...ALL_NODES, grabHttpNode]);
    const got = capture(helper.getNode('out1'));
    await waitFor(() => sim.sessions.length > 0, 5000, 'session');
    const [a] = await speak(got, SENTENCES.slice(0, 1));
    assert.equal((await fetch(a.msg.payload as string)).status, 200);
    const app = httpNode as unknown as { _router: { stack: Array<{ route?: { path: string } }> } };
    const routes = () => app._router.stack.filter((l) => l.route && l.route.path.includes('livetranslate/audio/out1/')).length;
    assert.equal(routes(), 1);
    await helper.unload();
    assert.equal(routes(), 0, 'the route outlived its node');
    assert.equal((await fetch(a.msg.payload as string)).status, 404);
  });

  it('a base URL that is not absolute: a logged error, no audio messages, and the text still flows', async function () {
    await loadFlow(flow({ audioBaseUrl: 'pi.local:1880' }), { sess1: { apiKey: 'sk-test-123456' } }, [...ALL_NODES, grabHttpNode]);
    const errors = helper.log().args.filter((a: unknown[]) => (a[0] as { level?: number; id?: string }).level === 20 && (a[0] as { id?: string }).id === 'out1');
    assert.ok(errors.some((a: unknown[]) => /audio base URL must be http/.test(String((a[0] as { msg: unknown }).msg))), 'no error logged');
    const got = capture(helper.getNode('out1'));
    await waitFor(() => sim.sessions.length > 0, 5000, 'session');
    await speak(got, SENTENCES.slice(0, 1));
    assert.deepEqual(got.filter((c) => c.port === 0).map((c) => c.msg.payload), [SCRIPT[0].translation]);
    assert.equal(got.filter((c) => c.port === 2).length, 0, 'audio left without a URL');
  });

  it('the editor reads the derived default base URL from the admin API', async function () {
    await loadFlow(flow(), { sess1: { apiKey: 'sk-test-123456' } }, [...ALL_NODES, grabHttpNode]);
    const res = await helper.request().get('/livetranslate/audio-base-url').expect(200);
    assert.match(res.body.url, /^http:\/\/[\d.]+:\d+\/$/);
  });
});
