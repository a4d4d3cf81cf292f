/**
 * The three examples that play translated speech, in a real Node-RED (red.js) against the simulator:
 * - Dashboard 2 captions page: Debian's Chromium plays each utterance in `ui-audio` by URL; the
 *   element's duration is the utterance's, as sox reads the same URL;
 * - Home Assistant speaker: with node-red-contrib-home-assistant-websocket installed the example
 *   deploys, and the message handed to its action node is a `media_player.play_media` call whose
 *   `media_content_id` URL serves the speech;
 * - Raspberry Pi kiosk: a real `exec` node runs sox on a recording in place of `arecord`, and the
 *   speaker `exec` runs a real sox that reads each WAV the flow writes.
 * Test-only "tap" nodes (core file nodes) record what flows past, in files the test reads.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Simulator } from '../src/simulator';
import { synthesizeSpeech } from '../src/simulator/speech-synth';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const RED: any; // the editor's global, inside page.evaluate
import {
  ANNOUNCEMENT_SCRIPT, ANNOUNCEMENT_WAV, PACKAGE_NAME, artifact, exampleFlow, launchChromium, startExampleSimulator, startNodeRed, waitUntil,
  type RedProcess,
} from './support/browser-services';

const HA_PACKAGE = 'node-red-contrib-home-assistant-websocket';
const SCRIPT: Array<{ translations: Record<string, string> }> = JSON.parse(readFileSync(ANNOUNCEMENT_SCRIPT, 'utf8')).utterances;
const UTTERANCES = SCRIPT.length;
/** Seconds of the simulator's speech for each Japanese translation of the announcement (24 kHz mono s16le). */
const SPOKEN_SECONDS = SCRIPT.map((u) => synthesizeSpeech(u.translations.ja).length / 48000);
type Flow = Array<Record<string, unknown>>;

/** A core file node that appends each msg.payload (objects as JSON) as a line of `file`. */
function tap(id: string, z: unknown, file: string): Record<string, unknown> {
  return { id, type: 'file', z, name: 'test tap', filename: file, filenameType: 'str', appendNewline: true, createDir: false, overwriteFile: 'false', encoding: 'utf8', wires: [[]] };
}
function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()) : [];
}
function node(flow: Flow, id: string): Record<string, unknown> {
  const n = flow.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id} in the example`);
  return n;
}
/** A full deploy, returned once the new flows have started (the admin API answers before that). */
async function deploy(red: RedProcess, flow: Flow): Promise<number> {
  const from = red.log.length;
  await red.deploy(flow);
  await waitUntil(() => red.log.slice(from).some((l) => /Started flows/.test(l)), 20000, 'the flows to start');
  return from;
}
function soxSeconds(file: string): number {
  return Number(execFileSync('soxi', ['-D', file]).toString());
}

describe('examples that play translated speech, in a real Node-RED', function () {
  this.timeout(90000);
  let sim: Simulator;
  let simUrl: string;
  let red: RedProcess;
  let dir: string;

  before(async function () {
    this.timeout(60000);
    ({ sim, url: simUrl } = await startExampleSimulator());
    red = await startNodeRed({ env: { DASHSCOPE_API_KEY: 'e2e-test-key' }, modules: [HA_PACKAGE] });
    dir = mkdtempSync(join(tmpdir(), 'examples-audio-url-'));
  });

  after(async function () {
    this.timeout(30000);
    if (red) await red.stop();
    if (sim) await sim.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const file of ['home-assistant-speaker.json', 'pi-kiosk-exec.json']) {
    it(`${file}: in Import > Examples; imports with every node's type known and valid, and a flow picture`, async function () {
      const name = file.replace(/\.json$/, '');
      await deploy(red, []);
      const browser = await launchChromium();
      try {
        const page = await browser.context.newPage();
        await page.goto(red.url);
        await page.waitForFunction(() => typeof RED !== 'undefined' && RED.nodes && RED.nodes.getType('livetranslate-audio-in') && RED.nodes.getType('api-call-service'), null, { timeout: 30000 });
        await page.evaluate(() => RED.actions.invoke('core:show-examples-import-dialog'));
        const tree = page.locator('.red-ui-clipboard-dialog-tabs-content');
        await tree.locator('.red-ui-treeList-label', { hasText: PACKAGE_NAME }).click({ timeout: 15000 }).catch(async (e: unknown) => {
          await page.screenshot({ path: artifact(`import-failed-${name}.png`) });
          throw e;
        });
        await tree.locator('.red-ui-treeList-label', { hasText: new RegExp(`^\\s*${name}\\s*$`) }).click();
        await page.waitForSelector('#red-ui-clipboard-dialog-ok:not(.disabled):not([disabled])');
        await page.click('#red-ui-clipboard-dialog-ok');
        await page.waitForSelector('#red-ui-clipboard-dialog-ok', { state: 'hidden' });
        await page.waitForFunction(() => { let n = 0; RED.nodes.eachNode(() => { n++; }); return n > 0; }, null, { timeout: 10000 });
        const imported: Array<{ type: string; valid: boolean; known: boolean }> = await page.evaluate(() => {
          const out: Array<{ type: string; valid: boolean; known: boolean }> = [];
          RED.nodes.eachNode((n: any) => { out.push({ type: n.type, valid: n.valid !== false, known: !!RED.nodes.getType(n.type) }); });
          RED.nodes.eachConfig((n: any) => { out.push({ type: n.type, valid: n.valid !== false, known: !!RED.nodes.getType(n.type) }); });
          return out;
        });
        const shipped = exampleFlow(file).filter((n) => n.type !== 'tab');
        assert.equal(imported.length, shipped.length, 'every node was imported');
        assert.deepEqual(imported.filter((n) => !n.known), [], 'every type is installed');
        assert.deepEqual(imported.filter((n) => !n.valid), [], 'every node is valid in the editor');
        const tab = exampleFlow(file).find((n) => n.type === 'tab');
        await page.evaluate((id) => RED.workspaces.show(id), tab!.id as string);
        await page.waitForTimeout(300);
        await page.evaluate(() => document.querySelectorAll('.red-ui-notification').forEach((e) => e.remove()));
        await page.screenshot({ path: artifact(`flow-${name}.png`) });
        if (name === 'home-assistant-speaker') {
          // the dialog shows the base URL used when the field is blank: where this Node-RED listens
          await page.evaluate(() => RED.editor.edit(RED.nodes.node('ha5bea0000000006')));
          const hint = page.locator('.livetranslate-audio-url-hint');
          await hint.waitFor({ state: 'visible' });
          await waitUntil(async () => (await hint.innerText()).includes(`${red.url}/`), 10000, 'the default base URL in the dialog');
          assert.equal(await page.locator('#node-input-audioBaseUrl').getAttribute('placeholder'), `${red.url}/`);
          await page.screenshot({ path: artifact('dialog-translation-out-url.png') });
          await page.click('#node-dialog-cancel');
        }
      } finally {
        await browser.close();
      }
    });
  }

  it('Dashboard 2 captions page: ui-audio loads each utterance by URL and its duration is the utterance\'s', async function () {
    const flow = exampleFlow('live-captions-dashboard.json', { simUrl });
    assert.equal(node(flow, 'a11ce00000000009').type, 'ui-audio');
    const urls = join(dir, 'dashboard-urls.txt');
    // the test also records the URLs translation out sends to ui-audio
    node(flow, 'a11ce00000000007').wires = (node(flow, 'a11ce00000000007').wires as string[][]).map((w, i) => (i === 2 ? [...w, 'test-tap-dash'] : w));
    flow.push(tap('test-tap-dash', node(flow, 'a11ce00000000007').z, urls));
    const from = await deploy(red, flow);
    const browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
    try {
      const page = await browser.context.newPage();
      const fetched: Array<{ url: string; range?: string; status: number }> = [];
      page.on('response', (r) => {
        if (r.url().includes('/livetranslate/audio/')) fetched.push({ url: r.url(), range: r.request().headers().range, status: r.status() });
      });
      await page.goto(`${red.url}/dashboard/captions`);
      await page.waitForSelector('audio', { state: 'attached', timeout: 20000 });
      await red.inject('a11ce00000000004');
      await waitUntil(() => lines(urls).length >= UTTERANCES, 40000, 'a URL per utterance');
      const sent = lines(urls);
      for (const u of sent) assert.match(u, new RegExp(`^${red.url}/livetranslate/audio/a11ce00000000007/[A-Za-z0-9_-]{22}\\.wav$`));
      const last = sent[sent.length - 1];
      // the player shows the latest utterance, loads it and plays it
      const player = await waitUntil(() => page.evaluate((src) => {
        const a = document.querySelector('audio');
        return a && a.src === src && a.readyState >= 1 && isFinite(a.duration) && a.duration > 0 && !a.paused
          ? { duration: a.duration, error: a.error ? a.error.code : 0 } : undefined;
      }, last), 20000, 'ui-audio to load and play the last utterance');
      assert.equal(player.error, 0);
      const wav = join(dir, 'dashboard-last.wav');
      const res = await fetch(last);
      assert.equal(res.status, 200);
      writeFileSync(wav, Buffer.from(await res.arrayBuffer()));
      const expected = soxSeconds(wav);
      assert.ok(expected > 0.5, `utterance of ${expected} s`);
      assert.ok(Math.abs(player.duration - expected) < 0.01, `audio element: ${player.duration} s, sox: ${expected} s`);
      await page.waitForFunction(() => { const a = document.querySelector('audio'); return a && a.currentTime > 0.2; }, null, { timeout: 10000 });
      // Chromium fetched it as media players do: by range, answered 206 (or 200 for the whole file)
      const mine = fetched.filter((f) => f.url === last);
      assert.ok(mine.length >= 1, 'the browser fetched the URL');
      assert.ok(mine.every((f) => f.status === 200 || f.status === 206), JSON.stringify(mine));
      assert.ok(mine.some((f) => f.range && f.status === 206), `a range request answered 206: ${JSON.stringify(mine)}`);
      await page.screenshot({ path: artifact('captions-page-audio-url.png') });
    } finally {
      await browser.close();
    }
    assert.deepEqual(red.problems(from), []);
  });

  it('Home Assistant speaker: deploys with the package, and hands the action node a media_player.play_media call that plays', async function () {
    const flow = exampleFlow('home-assistant-speaker.json', { simUrl });
    const action = node(flow, 'ha5bea0000000008');
    assert.equal(action.type, 'api-call-service');
    assert.equal(action.blockInputOverrides, false, 'the action node must take the call from the message');
    const calls = join(dir, 'ha-calls.txt');
    const change = node(flow, 'ha5bea0000000007');
    assert.deepEqual(change.wires, [['ha5bea0000000008']]);
    change.wires = [['ha5bea0000000008', 'test-tap-ha']];
    flow.push(tap('test-tap-ha', change.z, calls));
    const from = await deploy(red, flow);
    await red.inject('ha5bea0000000003');
    await waitUntil(() => lines(calls).length >= UTTERANCES, 40000, 'a play_media call per utterance');
    const handed = lines(calls).map((l) => JSON.parse(l) as { data: { media_content_id: string } });
    assert.equal(handed.length, UTTERANCES);
    for (const [i, call] of handed.entries()) {
      const url = call.data.media_content_id;
      // exactly the documented service call: action, target.entity_id, data.media_content_id/_type
      assert.deepEqual(call, {
        action: 'media_player.play_media',
        target: { entity_id: 'media_player.living_room' },
        data: { media_content_id: url, media_content_type: 'music' },
      });
      assert.match(url, new RegExp(`^${red.url}/livetranslate/audio/ha5bea0000000006/[A-Za-z0-9_-]{22}\\.wav$`));
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'audio/wav');
      const wav = join(dir, 'ha.wav');
      writeFileSync(wav, Buffer.from(await res.arrayBuffer()));
      assert.ok(Math.abs(soxSeconds(wav) - SPOKEN_SECONDS[i]) < 1e-3, `utterance ${i + 1}: ${soxSeconds(wav)} s served, ${SPOKEN_SECONDS[i]} s spoken`);
    }
    // The nodes of the package loaded (no "unknown type"); with no Home Assistant here, only its
    // connection may complain.
    const problems = red.problems(from).filter((l) => !/\[(server|api-call-service):/.test(l));
    assert.deepEqual(problems, []);
    assert.ok(!red.log.slice(from).some((l) => /unknown type|Waiting for missing types/i.test(l)), 'the package\'s node types are known');
  });

  it('Raspberry Pi kiosk: exec streams a recording (sox in place of arecord) into audio in; exec plays each WAV with sox', async function () {
    const flow = exampleFlow('pi-kiosk-exec.json', { simUrl });
    const mic = node(flow, 'b1c105c000000005');
    assert.equal(mic.command, 'arecord -q -t raw -f S16_LE -r 16000 -c 1 -');
    assert.equal(mic.useSpawn, 'true', 'the microphone streams stdout chunk by chunk (spawn mode)');
    // the recording in place of the microphone, as raw PCM on stdout, with a pause after it
    mic.command = `sox -q ${ANNOUNCEMENT_WAV} -t raw -r 16000 -e signed -b 16 -c 1 - pad 0 1.5`;
    const speaker = node(flow, 'b1c105c00000000a');
    assert.equal(speaker.command, 'aplay -q');
    // sox in place of aplay: reads every sample of the file and reports its length (on stderr)
    speaker.command = 'sox';
    speaker.append = '-n stat';
    const played = join(dir, 'kiosk-played.txt');
    speaker.wires = [[], ['test-tap-played'], ['b1c105c00000000b']];
    flow.push(tap('test-tap-played', speaker.z, played));
    const fileNamer = node(flow, 'b1c105c000000008');
    const rules = fileNamer.rules as Array<{ to: string }>;
    rules[0].to = rules[0].to.replace('/tmp/', `${dir}/`);
    const from = await deploy(red, flow);
    await waitUntil(() => lines(played).filter((l) => /^Length \(seconds\)/.test(l.trim())).length >= UTTERANCES, 40000, 'sox to play every utterance');
    const lengths = lines(played).filter((l) => /^Length \(seconds\)/.test(l.trim())).map((l) => Number(l.split(':')[1]));
    assert.equal(lengths.length, UTTERANCES);
    // sox read each utterance whole: exactly the speech the service sent (sox stat prints 6 decimals)
    assert.deepEqual(lengths.map((x) => x.toFixed(3)).sort(), SPOKEN_SECONDS.map((x) => x.toFixed(3)).sort());
    // every utterance the service spoke, played once; the files are deleted after playing
    assert.equal(sim.sessions[sim.sessions.length - 1].utterances.length, UTTERANCES);
    await waitUntil(() => !execFileSync('ls', [dir]).toString().includes('livetranslate-'), 10000, 'played files deleted');
    assert.deepEqual(red.problems(from), []);
  });
});

describe('audio by URL behind httpNodeAuth, in a real Node-RED', function () {
  this.timeout(60000);
  let sim: Simulator;
  let simUrl: string;
  let red: RedProcess;

  before(async function () {
    this.timeout(60000);
    ({ sim, url: simUrl } = await startExampleSimulator());
    // bcrypt of "speaker-pass", as settings.js wants it
    const hash = require('bcryptjs').hashSync('speaker-pass', 8) as string;
    red = await startNodeRed({ env: { DASHSCOPE_API_KEY: 'e2e-test-key' }, settings: `httpNodeAuth: { user: 'speaker', pass: ${JSON.stringify(hash)} },` });
  });

  after(async function () {
    this.timeout(30000);
    if (red) await red.stop();
    if (sim) await sim.stop();
  });

  it('answers 401 without the credentials, the file with them; the default base URL is where Node-RED listens', async function () {
    const flow = exampleFlow('home-assistant-speaker.json', { simUrl }).filter((n) => !['ha5bea0000000008', 'ha5bea00000000h1'].includes(String(n.id)));
    const urls = join(tmpdir(), `auth-urls-${process.pid}.txt`);
    rmSync(urls, { force: true });
    node(flow, 'ha5bea0000000007').wires = [['test-tap-auth']];
    node(flow, 'ha5bea0000000007').rules = [{ t: 'set', p: 'payload', pt: 'msg', to: 'payload', tot: 'msg' }];
    flow.push(tap('test-tap-auth', node(flow, 'ha5bea0000000007').z, urls));
    await deploy(red, flow);
    try {
      await red.inject('ha5bea0000000003');
      const [url] = await waitUntil(() => lines(urls).length >= 1 && lines(urls), 40000, 'a URL');
      assert.ok(url.startsWith(`${red.url}/livetranslate/audio/`), url);
      assert.equal((await fetch(url)).status, 401);
      const auth = 'Basic ' + Buffer.from('speaker:speaker-pass').toString('base64');
      const ok = await fetch(url, { headers: { Authorization: auth } });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('content-type'), 'audio/wav');
      assert.equal(Buffer.from(await ok.arrayBuffer()).toString('latin1', 0, 4), 'RIFF');
      // a redeploy removes the files: the same URL is now unknown
      await deploy(red, []);
      assert.equal((await fetch(url, { headers: { Authorization: auth } })).status, 404);
    } finally {
      rmSync(urls, { force: true });
    }
  });
});
