/**
 * End to end, the way a user meets the package: `npm start` (scripts/start.js) starts Node-RED and
 * the simulator with no DASHSCOPE_API_KEY, and Debian's chromium (through playwright-core) drives
 * the editor.
 *
 * - the palette shows the nodes; the session dialog refuses invalid language/output/voice
 *   combinations with a visible reason;
 * - every example is imported through Import > Examples, laid out without overlapping nodes, shows
 *   every setting (its value or its default), deploys without errors and gives its output: a
 *   translation in the debug sidebar, on its dashboard page or on its MQTT topic;
 * - the live-captions page shows the transcript and the translation of a spoken WAV fed through
 *   the flow (the inject node of the example plays it, where a user would speak into the
 *   microphone), and of speech captured by the browser's microphone (chromium's fake capture
 *   device playing the same recording).
 *
 * Screenshots of the edit dialogs, the imported flows and the captions page go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { BrowserContext, Page } from 'playwright-core';
import { synthesizeSpeech } from '../src/simulator/speech-synth';
import {
  ANNOUNCEMENT_WAV, EXAMPLES_DIR, PACKAGE_NAME, artifact, exampleFlow, launchChromium, rewriteExample,
  startMosquitto, startNpmStart, waitUntil, type Mosquitto, type RedProcess,
} from './support/browser-services';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const RED: any;
declare const $: any;

const FIRST_TRANSLATION = '皆さん、おはようございます。四半期会議へようこそ。';
const FIRST_SOURCE = 'Good morning, everyone.';
const SECOND_TRANSLATION = 'プレゼンテーションは5分後に始まります。';
const SESSION = {
  type: 'livetranslate-session', name: '', endpoint: 'custom', model: 'qwen3-livetranslate-flash-realtime',
  connectMode: 'deploy', idleTimeout: 60, allowInsecure: false,
};

describe('in a real browser: editor, examples and the captions page', function () {
  this.timeout(60000);
  let simUrl: string;
  let red: RedProcess;
  let mosquitto: Mosquitto;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page;

  before(async function () {
    this.timeout(90000);
    mosquitto = await startMosquitto();
    // What a newcomer runs: no API key anywhere, the examples as shipped.
    const started = await startNpmStart();
    red = started;
    simUrl = started.simUrl;
    browser = await launchChromium([
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${ANNOUNCEMENT_WAV}`, '--autoplay-policy=no-user-gesture-required',
    ]);
    page = await browser.context.newPage();
    // leaving the editor with undeployed changes asks first: say yes
    page.on('dialog', (d) => { d.accept().catch(() => undefined); });
    // The examples point at ws://127.0.0.1:8765 (what `npm start` serves) and a broker on
    // localhost:1883: the files are served as they are, with those two ports made the test's.
    await page.route(`**/library/examples/flows/${PACKAGE_NAME}/**`, async (route) => {
      const res = await route.fetch();
      const flow = rewriteExample(JSON.parse(await res.text()), { simUrl, mqttPort: mosquitto.port });
      await route.fulfill({ response: res, body: JSON.stringify(flow) });
    });
    await openEditor(page, red.url);
  });

  after(async function () {
    this.timeout(30000);
    if (browser) await browser.close();
    if (red) await red.stop();
    if (mosquitto) await mosquitto.stop();
  });

  it('shows the nodes in the palette, under "translation", with their labels and icons', async function () {
    const palette = await page.evaluate(() => Array.from(document.querySelectorAll('.red-ui-palette-node'))
      .filter((e) => (e.getAttribute('data-palette-type') || '').startsWith('livetranslate-'))
      .map((e) => ({
        type: e.getAttribute('data-palette-type'),
        label: (e.textContent || '').replace(/\s+/g, ' ').trim(),
        category: e.closest('.red-ui-palette-category')?.id,
        icon: (/icons\/[^"')]*livetranslate[^"')]*\.svg/.exec(e.innerHTML) || [''])[0],
      })));
    assert.deepEqual(palette.map((p) => p.type).sort(),
      ['livetranslate-audio-in', 'livetranslate-image-in', 'livetranslate-translation-out']);
    const label = (t: string) => palette.find((p) => p.type === t)!.label;
    assert.equal(label('livetranslate-audio-in'), 'audio in');
    assert.equal(label('livetranslate-image-in'), 'image in');
    assert.equal(label('livetranslate-translation-out'), 'translation out');
    for (const p of palette) {
      assert.equal(p.category, 'red-ui-palette-container-translation', `${p.type} in the translation category`);
      assert.match(p.icon, /livetranslate/, `${p.type} uses the package's icon`);
    }
    // The fourth node is the config node: registered, with its credential, not in the palette.
    const session = await page.evaluate(() => {
      const def = RED.nodes.getType('livetranslate-session');
      return def && { category: def.category, credentials: def.credentials };
    });
    assert.deepEqual(session, { category: 'config', credentials: { apiKey: { type: 'password' } } });
    await page.screenshot({ path: artifact('palette.png'), clip: { x: 0, y: 40, width: 400, height: 760 } });
    // the first visit asks nothing: no update-notification (telemetry) question
    await page.waitForTimeout(500);
    assert.equal(await page.getByText('Enable Update Notifications').count(), 0, 'no update-notification dialog');
  });

  it('session dialog: only valid combinations, with the reason shown inline', async function () {
    await importIntoEditor(page, [
      { id: 'e2e00000000000t1', type: 'tab', label: 'dialog test' },
      { id: 'e2e00000000000a1', type: 'livetranslate-audio-in', z: 'e2e00000000000t1', session: 'e2e00000000000s1', x: 300, y: 100, wires: [] },
      { id: 'e2e00000000000o1', type: 'livetranslate-translation-out', z: 'e2e00000000000t1', session: 'e2e00000000000s1', x: 300, y: 200, wires: [[], [], [], []] },
      { ...SESSION, id: 'e2e00000000000s1', url: simUrl, sourceLanguage: 'en', targetLanguage: 'ja', output: 'text+audio', voice: 'Cherry', transcription: true },
      // imported with an impossible combination: speech in Thai, and a Cantonese voice for Japanese
      { ...SESSION, id: 'e2e00000000000s2', url: simUrl, sourceLanguage: 'en', targetLanguage: 'th', output: 'text+audio', voice: 'Cherry', transcription: true },
      { ...SESSION, id: 'e2e00000000000s3', url: simUrl, sourceLanguage: 'en', targetLanguage: 'ja', output: 'text+audio', voice: 'Kiki', transcription: true },
    ]);

    // The node labels carry the language pair.
    const labels = await page.evaluate(() => ['e2e00000000000s1', 'e2e00000000000a1', 'e2e00000000000o1']
      .map((id) => RED.utils.getNodeLabel(RED.nodes.node(id))));
    assert.equal(labels[0], 'en → ja');
    assert.match(labels[1], /en → ja/);
    assert.match(labels[2], /en → ja/);

    // The invalid imports are flagged invalid, each with the reason.
    const validity = await page.evaluate(() => ['e2e00000000000s1', 'e2e00000000000s2', 'e2e00000000000s3'].map((id) => {
      const n = RED.nodes.node(id);
      RED.editor.validateNode(n);
      return { valid: n.valid, errors: n.validationErrors || [] };
    }));
    assert.equal(validity[0].valid, true);
    assert.equal(validity[1].valid, false, 'speech for a text-only target is invalid');
    assert.match(validity[1].errors.join(' '), /Audio output is not available for target language 'th'/);
    assert.equal(validity[2].valid, false, 'a voice that cannot speak the target is invalid');
    assert.match(validity[2].errors.join(' '), /Kiki/);

    // The user's way in: edit the audio in node, then the session beside its Session field.
    await page.evaluate(() => RED.editor.edit(RED.nodes.node('e2e00000000000a1')));
    await page.waitForSelector('#node-input-session', { state: 'visible' });
    await clearNotifications(page);
    await page.screenshot({ path: artifact('dialog-audio-in.png') });
    // the pencil beside the Session field: Node-RED 4 calls it btn-session-edit, 3.x lookup-session
    await page.click('#node-input-btn-session-edit, #node-input-lookup-session');
    await page.waitForSelector('#node-config-input-targetLanguage option[value="th"]', { state: 'attached' });
    await page.waitForSelector('#node-config-input-apiKey', { state: 'visible' });
    assert.equal(await page.getAttribute('#node-config-input-apiKey', 'type'), 'password');
    assert.match(await page.getAttribute('#node-config-input-apiKey', 'placeholder') || '', /DASHSCOPE_API_KEY/);

    // 18 languages, from the protocol catalogue.
    assert.equal(await page.locator('#node-config-input-targetLanguage option').count(), 18);

    // Japanese: the multilingual voices only.
    assert.deepEqual(await voiceOptions(page), ['Cherry', 'Nofish']);

    // Cantonese: only Kiki can speak it.
    await page.selectOption('#node-config-input-targetLanguage', 'yue');
    assert.deepEqual(await voiceOptions(page), ['Kiki']);
    assert.equal(await page.inputValue('#node-config-input-voice'), 'Kiki');

    // Thai has no translated speech: the option is greyed out, the output is text, the reason shows.
    await page.selectOption('#node-config-input-targetLanguage', 'th');
    const speech = page.locator('#node-config-input-output option[value="text+audio"]');
    assert.equal(await speech.evaluate((o) => (o as HTMLOptionElement).disabled), true);
    assert.equal(await page.inputValue('#node-config-input-output'), 'text');
    const reason = page.locator('#livetranslate-session-reason');
    await reason.waitFor({ state: 'visible' });
    assert.match(await reason.innerText(), /th|Thai/);
    assert.match(await reason.innerText(), /speech|audio/i);
    assert.equal(await page.locator('#node-config-input-voice').isDisabled(), true, 'no voice for text output');
    await page.locator('#node-config-input-voice').scrollIntoViewIfNeeded();
    await clearNotifications(page);
    await page.screenshot({ path: artifact('dialog-session-text-only.png') });

    // Forcing speech back on (as a script or a stale form would) is refused with a red reason.
    await page.evaluate(() => {
      const sel = document.getElementById('node-config-input-output') as HTMLSelectElement;
      (sel.querySelector('option[value="text+audio"]') as HTMLOptionElement).disabled = false;
    });
    await page.selectOption('#node-config-input-output', 'text+audio');
    await waitUntil(() => page.locator('#livetranslate-session-reason.livetranslate-problem').isVisible(), 5000, 'the problem to be shown');
    assert.equal(await page.locator('#node-config-input-output').evaluate((e) => e.classList.contains('input-error')), true,
      'the output field is marked invalid');

    // Back to a valid pair: the reason goes away, speech and voices come back.
    await page.selectOption('#node-config-input-targetLanguage', 'de');
    await page.selectOption('#node-config-input-output', 'text+audio');
    await waitUntil(async () => !(await reason.isVisible()), 5000, 'the reason to go away');
    assert.deepEqual(await voiceOptions(page), ['Cherry', 'Nofish']);
    await page.locator('#node-config-input-voice').scrollIntoViewIfNeeded();
    await clearNotifications(page);
    await page.screenshot({ path: artifact('dialog-session.png') });
    await page.click('#node-config-dialog-ok');
    await page.waitForSelector('#node-input-session', { state: 'visible' });
    await page.click('#node-dialog-ok');
    await page.waitForSelector('.red-ui-tray', { state: 'detached' });
    const after = await page.evaluate(() => {
      const s = RED.nodes.node('e2e00000000000s1');
      return { target: s.targetLanguage, output: s.output, voice: s.voice, label: RED.utils.getNodeLabel(s) };
    });
    assert.deepEqual(after, { target: 'de', output: 'text+audio', voice: 'Cherry', label: 'en → de' });
  });

  it('edit dialogs of image in and translation out; port labels on translation out', async function () {
    await page.evaluate(() => RED.editor.edit(RED.nodes.node('e2e00000000000o1')));
    await page.waitForSelector('#node-input-audioFormat', { state: 'visible' });
    await clearNotifications(page);
    await page.screenshot({ path: artifact('dialog-translation-out.png') });
    await page.click('#node-dialog-cancel');
    await page.waitForSelector('.red-ui-tray', { state: 'detached' });
    const ports = await page.evaluate(() => {
      const n = RED.nodes.node('e2e00000000000o1');
      const def = RED.nodes.getType('livetranslate-translation-out');
      return [0, 1, 2, 3].map((i) => def.outputLabels.call(n, i));
    });
    assert.deepEqual(ports, ['translation', 'source transcript', 'translated audio', 'events']);

    await importIntoEditor(page, [
      { id: 'e2e00000000000i1', type: 'livetranslate-image-in', z: 'e2e00000000000t1', session: 'e2e00000000000s1', x: 300, y: 300, wires: [] },
    ]);
    await page.evaluate(() => RED.editor.edit(RED.nodes.node('e2e00000000000i1')));
    await page.waitForSelector('#node-input-maxWidth', { state: 'visible' });
    await clearNotifications(page);
    await page.screenshot({ path: artifact('dialog-image-in.png') });
    // the help sidebar documents the node's inputs
    const help = await page.evaluate(() => RED.nodes.getNodeHelp ? RED.nodes.getNodeHelp('livetranslate-image-in') : $("script[data-help-name='livetranslate-image-in']").html());
    assert.match(help, /<h3>Inputs<\/h3>/);
    await page.click('#node-dialog-cancel');
    await page.waitForSelector('.red-ui-tray', { state: 'detached' });
  });

  for (const lang of ['en-US', 'ja', 'zh-CN']) {
    it(`dialogs in ${lang}: ordered by use, tuning collapsed, every label translated, defaults shown`, async function () {
      await page.evaluate((l) => localStorage.setItem('editor-language', l), lang);
      try {
        await openEditor(page, red.url);
        await importIntoEditor(page, [
          { id: 'e2e0000000000lt1', type: 'tab', label: `dialogs ${lang}` },
          { id: 'e2e0000000000la1', type: 'livetranslate-audio-in', z: 'e2e0000000000lt1', session: 'e2e0000000000ls1', x: 200, y: 100, wires: [] },
          { id: 'e2e0000000000li1', type: 'livetranslate-image-in', z: 'e2e0000000000lt1', session: 'e2e0000000000ls1', x: 200, y: 160, wires: [] },
          { id: 'e2e0000000000lo1', type: 'livetranslate-translation-out', z: 'e2e0000000000lt1', session: 'e2e0000000000ls1', x: 200, y: 240, wires: [[], [], [], []] },
          // as a flow of an older version would hold it: no Buffer, no Renew after
          { ...SESSION, id: 'e2e0000000000ls1', url: simUrl, sourceLanguage: 'en', targetLanguage: 'ja', output: 'text+audio', voice: 'Cherry', transcription: true },
        ]);
        const untranslated = () => page.evaluate(() => Array.from(document.querySelectorAll('.red-ui-tray [data-i18n]'))
          .filter((e) => (e as HTMLElement).offsetParent !== null && /^$|livetranslate-/.test((e.textContent || '').trim()) && !(e as HTMLElement).matches('input'))
          .map((e) => e.getAttribute('data-i18n')));

        for (const [id, collapsed] of [['e2e0000000000li1', 'livetranslate-image-in-advanced'], ['e2e0000000000lo1', ''], ['e2e0000000000la1', 'livetranslate-audio-in-raw']]) {
          await page.evaluate((n) => RED.editor.edit(RED.nodes.node(n)), id);
          await page.waitForSelector('#node-input-session', { state: 'visible' });
          assert.deepEqual(await untranslated(), [], `${id}: every label translated`);
          if (collapsed) {
            assert.equal(await page.locator(`#${collapsed}`).isVisible(), false, `${collapsed} starts collapsed`);
            await page.click(`#${collapsed}-toggle`);
            await page.locator(`#${collapsed}`).waitFor({ state: 'visible' });
          }
          const type = await page.evaluate((n) => RED.nodes.node(n).type, id);
          await clearNotifications(page);
          await page.screenshot({ path: artifact(`dialog-${type.replace('livetranslate-', '')}-${lang}.png`) });
          if (id !== 'e2e0000000000la1') {
            await page.click('#node-dialog-cancel');
            await page.waitForSelector('.red-ui-tray', { state: 'detached' });
          }
        }
        // the session, from audio in: connection, then languages and output, tuning collapsed below
        await page.click('#node-input-btn-session-edit, #node-input-lookup-session');
        await page.waitForSelector('#node-config-input-targetLanguage option[value="th"]', { state: 'attached' });
        assert.deepEqual(await untranslated(), [], 'session: every label translated');
        const top = (sel: string) => page.locator(sel).evaluate((e) => e.getBoundingClientRect().top);
        assert.ok(await top('#node-config-input-endpoint') < await top('#node-config-input-targetLanguage'), 'connection first');
        assert.ok(await top('#node-config-input-targetLanguage') < await top('#node-config-input-output'), 'then languages and output');
        assert.equal(await page.locator('#node-config-input-bufferSeconds').isVisible(), false, 'tuning starts collapsed');
        assert.equal(await page.locator('.red-ui-tray .form-tips:visible').count(), 0, 'no explanations in the dialog: they are in the help');
        await clearNotifications(page);
        await page.screenshot({ path: artifact(`dialog-session-${lang}.png`) });
        await page.click('#livetranslate-session-advanced-toggle');
        await page.locator('#node-config-input-bufferSeconds').waitFor({ state: 'visible' });
        assert.equal(await page.inputValue('#node-config-input-bufferSeconds'), '5', 'Buffer shows its default');
        assert.equal(await page.inputValue('#node-config-input-maxSessionMinutes'), '110', 'Renew after shows its default');
        assert.equal(await page.getAttribute('#node-config-input-bufferSeconds', 'placeholder'), '5', 'and says it when blanked');
        await page.locator('#node-config-input-maxSessionMinutes').scrollIntoViewIfNeeded();
        await clearNotifications(page);
        await page.screenshot({ path: artifact(`dialog-session-advanced-${lang}.png`) });
        await page.click('#node-config-dialog-cancel');
        await page.waitForSelector('#node-input-session', { state: 'visible' });
        await page.click('#node-dialog-cancel');
        await page.waitForSelector('.red-ui-tray', { state: 'detached' });
      } finally {
        await page.evaluate(() => localStorage.setItem('editor-language', 'en-US'));
      }
    });
  }

  const examples = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();

  /** Need what this machine lacks (a Home Assistant server; a microphone and a speaker): examples-audio-url.test.ts runs them with stand-ins. */
  const NEED_DEVICES = ['home-assistant-speaker.json', 'pi-kiosk-exec.json'];

  it('ships the eight examples', function () {
    assert.deepEqual(examples, ['camera-and-microphone.json', 'home-assistant-speaker.json', 'language-switch.json', 'live-captions-dashboard.json',
      'mqtt-kiosk.json', 'pi-kiosk-exec.json', 'translate-a-recording.json', 'what-is-mask.json']);
  });

  for (const file of examples.filter((f) => !NEED_DEVICES.includes(f))) {
    const name = file.replace(/\.json$/, '');
    it(`imports "${name}" from Import > Examples; it runs under npm start with no key and gives its output`, async function () {
      this.timeout(120000);
      await red.deploy([]);
      await openEditor(page, red.url);
      await page.evaluate(() => RED.actions.invoke('core:show-examples-import-dialog'));
      const tree = page.locator('.red-ui-clipboard-dialog-tabs-content');
      await tree.locator('.red-ui-treeList-label', { hasText: PACKAGE_NAME }).click();
      const entry = tree.locator('.red-ui-treeList-label', { hasText: new RegExp(`^\\s*${name}\\s*$`) });
      await entry.waitFor({ state: 'visible' });
      await entry.click();
      await page.waitForSelector('#red-ui-clipboard-dialog-ok:not(.disabled):not([disabled])');
      await page.click('#red-ui-clipboard-dialog-ok');
      await page.waitForSelector('#red-ui-clipboard-dialog-ok', { state: 'hidden' });
      await page.waitForFunction(() => { let n = 0; RED.nodes.eachNode(() => { n++; }); return n > 0; }, null, { timeout: 10000 })
        .catch(async (e) => {
          await page.screenshot({ path: artifact(`import-failed-${name}.png`) });
          throw e;
        });

      const imported = await page.evaluate(() => {
        const out: Array<{ id: string; type: string; valid: boolean; z?: string }> = [];
        RED.nodes.eachNode((n: any) => { out.push({ id: n.id, type: n.type, valid: n.valid !== false, z: n.z }); });
        RED.nodes.eachConfig((n: any) => { out.push({ id: n.id, type: n.type, valid: n.valid !== false }); });
        return out;
      });
      const expected = exampleFlow(file).filter((n) => n.type !== 'tab');
      assert.equal(imported.length, expected.length, 'every node of the example was imported');
      const invalid = imported.filter((n) => !n.valid);
      assert.deepEqual(invalid, [], 'no node of the example is invalid in the editor');
      // the tab of the example is the one shown: a picture of the flow
      const tab = exampleFlow(file).find((n) => n.type === 'tab');
      await page.evaluate((id) => RED.workspaces.show(id), tab!.id as string);
      await page.waitForTimeout(300);
      await assertNoOverlap(page, name);
      await assertFieldsShowValues(page, imported.filter((n) => /^livetranslate-/.test(n.type) && n.type !== 'livetranslate-session'));
      // the flow as a user sees it with the sidebar closed (the whole flow fits)
      await page.evaluate(() => RED.menu.setSelected('menu-item-sidebar', false));
      await clearNotifications(page);
      await page.screenshot({ path: artifact(`flow-${name}.png`) });
      await page.evaluate(() => RED.menu.setSelected('menu-item-sidebar', true));

      const logFrom = red.log.length;
      await page.click('#red-ui-header-button-deploy');
      const note = page.locator('.red-ui-notification').filter({ hasText: /deployed|not properly configured|invalid/i }).last();
      await note.waitFor({ state: 'visible', timeout: 10000 });
      assert.match(await note.innerText(), /Successfully deployed/);

      // Running: every node using a session connects to the simulator (green), MQTT nodes to the broker.
      const ours = imported.filter((n) => /^livetranslate-(audio|image)-in$|^livetranslate-translation-out$|^mqtt (in|out)$/.test(n.type));
      assert.ok(ours.length >= 2);
      await waitUntil(() => page.evaluate((ids) => ids.every((id) => {
        const n = RED.nodes.node(id);
        return n && n.status && n.status.fill === 'green';
      }), ours.map((n) => n.id)), 15000, `every node of ${name} to show a green status`);

      // ...and does what it is for.
      await EXAMPLE_OUTPUT[name]();

      const problems = red.problems(logFrom);
      assert.deepEqual(problems, [], `Node-RED logged no error or warning:\n${problems.join('\n')}`);
      const debugErrors = await page.evaluate(() => Array.from(document.querySelectorAll('.red-ui-debug-msg-level-20, .red-ui-debug-msg-level-30')).map((e) => e.textContent));
      assert.deepEqual(debugErrors, [], 'no error in the debug sidebar');
    });
  }

  /** What each example shows a user once deployed: the translation of the bundled announcement. */
  const EXAMPLE_OUTPUT: Record<string, () => Promise<void>> = {
    'translate-a-recording': async () => {
      // the inject fires once after deploy: both lines in the debug sidebar, both spoken in translated.wav
      await page.evaluate(() => RED.sidebar.show('debug'));
      for (const line of [FIRST_TRANSLATION, SECOND_TRANSLATION]) {
        await page.locator('.red-ui-debug-msg-payload', { hasText: line }).first().waitFor({ timeout: 30000 });
      }
      const expectedBytes = [FIRST_TRANSLATION, SECOND_TRANSLATION].reduce((n, text) => n + synthesizeSpeech(text).length, 0);
      const wav = await waitUntil(() => {
        try {
          const b = readFileSync(join(red.userDir, 'translated.wav'));
          return b.length >= 44 + expectedBytes ? b : undefined;
        } catch {
          return undefined;
        }
      }, 15000, 'translated.wav to hold both sentences').catch(() => readFileSync(join(red.userDir, 'translated.wav')));
      const dataAt = wav.indexOf('data', 12);
      assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
      assert.equal(wav.readUInt32LE(4), wav.length - 8, 'RIFF size matches the file');
      assert.equal(wav.readUInt32LE(dataAt + 4), wav.length - dataAt - 8, 'data size matches the file');
      assert.equal(wav.length - dataAt - 8, expectedBytes, 'translated.wav holds the speech of every sentence');
      await page.screenshot({ path: artifact('debug-translate-a-recording.png') });
    },
    'live-captions-dashboard': () => dashboardShowsTranslation('/dashboard/captions', FIRST_TRANSLATION, () => red.inject('a11ce00000000004')),
    'language-switch': () => dashboardShowsTranslation('/dashboard/language', FIRST_TRANSLATION, () => red.inject('a1a9000000000007')),
    // chromium's fake camera and microphone; the microphone loops the announcement from wherever it is
    'camera-and-microphone': () => dashboardShowsTranslation('/dashboard/camera', /[\u4e00-\u9fff]/, async (dash) => {
      await dash.getByText('Start camera and microphone').click();
    }),
    // the medical mask is shown and the question asked once after deploy; then the other picture, asked again
    'what-is-mask': async () => {
      await page.evaluate(() => RED.sidebar.show('debug'));
      await page.locator('.red-ui-debug-msg-payload', { hasText: '医療用マスクとは何ですか?' }).first().waitFor({ timeout: 30000 });
      await red.inject('3a5c000000000005');
      await page.waitForTimeout(1500);
      await red.inject('3a5c000000000008');
      await page.locator('.red-ui-debug-msg-payload', { hasText: '仮面舞踏会のマスクとは何ですか?' }).first().waitFor({ timeout: 30000 });
      await page.screenshot({ path: artifact('debug-what-is-mask.png') });
    },
    'mqtt-kiosk': async () => {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mosquitto.port}`, { clientId: 'e2e-kiosk-screen' });
      try {
        const got: string[] = [];
        client.on('message', (_topic, payload) => { got.push(payload.toString('utf8')); });
        await client.subscribeAsync('kiosk/translations/ja', { qos: 1 });
        await client.publishAsync('kiosk/announcements', readFileSync(ANNOUNCEMENT_WAV), { qos: 1 });
        await waitUntil(() => got.includes(FIRST_TRANSLATION), 30000, 'the Japanese translation on kiosk/translations/ja');
      } finally {
        await client.endAsync().catch(() => undefined);
      }
    },
  };

  /** Opens a dashboard page, starts the speech (`play`), and waits for the settled translation `line` on it. */
  async function dashboardShowsTranslation(path: string, line: string | RegExp, play: (dash: Page) => Promise<void>): Promise<void> {
    const dash = await browser.context.newPage();
    try {
      await dash.goto(red.url + path);
      await dash.waitForSelector('.lt-captions', { timeout: 20000 });
      await play(dash);
      const pattern = typeof line === 'string' ? `^${line}$` : line.source;
      await dash.waitForFunction((p) => Array.from(document.querySelectorAll('.lt-translation:not(.lt-partial)'))
        .some((e) => new RegExp(p).test(e.textContent || '')), pattern, { timeout: 45000 });
      await dash.screenshot({ path: artifact(`page-${path.split('/').pop()}.png`) });
    } finally {
      await dash.close();
    }
  }

  it('captions page: the transcript above its translation, partial lines replaced, final lines settled, speech played', async function () {
    await red.deploy(exampleFlow('live-captions-dashboard.json', { simUrl }));
    const dash = await browser.context.newPage();
    try {
      await dash.goto(`${red.url}/dashboard/captions`);
      await dash.waitForSelector('.lt-captions', { timeout: 20000 });
      await dash.waitForSelector('audio', { state: 'attached' });
      // Record every state a caption line goes through.
      await dash.evaluate(() => {
        const w = window as any;
        w.captionStates = [];
        new MutationObserver(() => {
          document.querySelectorAll('.lt-row').forEach((row, i) => {
            const t = row.querySelector('.lt-translation');
            if (t) w.captionStates.push({ row: i, text: t.textContent, partial: t.classList.contains('lt-partial'), at: performance.now() });
          });
        }).observe(document.querySelector('.lt-captions')!, { subtree: true, childList: true, characterData: true, attributes: true });
      });
      // In place of the microphone: the example's inject node plays the spoken announcement.
      await red.inject('a11ce00000000004');
      await dash.waitForFunction((text) => Array.from(document.querySelectorAll('.lt-translation:not(.lt-partial)'))
        .some((e) => e.textContent === text), FIRST_TRANSLATION, { timeout: 30000 });
      const first = dash.locator('.lt-row').first();
      assert.match(await first.locator('.lt-source').innerText(), new RegExp(FIRST_SOURCE));
      // source above translation
      const [src, tr] = await Promise.all([first.locator('.lt-source').boundingBox(), first.locator('.lt-translation').boundingBox()]);
      assert.ok(src && tr && src.y < tr.y, 'the source line is above the translation');
      await dash.waitForFunction((text) => Array.from(document.querySelectorAll('.lt-translation:not(.lt-partial)'))
        .some((e) => e.textContent === text), SECOND_TRANSLATION, { timeout: 30000 });
      const states: Array<{ row: number; text: string; partial: boolean; at: number }> = await dash.evaluate(() => (window as any).captionStates);
      const firstRow = states.filter((s) => s.row === 0);
      assert.ok(firstRow.some((s) => s.partial && s.text.length > 0 && s.text !== FIRST_TRANSLATION),
        'a partial line was shown before the final one');
      // Simultaneous captions: the line grows while the sentence is still being spoken, not all at its end.
      const partials = firstRow.filter((s) => s.partial && s.text.length > 0);
      const distinct = partials.filter((s, i) => i === 0 || s.text !== partials[i - 1].text);
      assert.ok(distinct.length >= 2, `the line grew in steps (${distinct.map((s) => s.text).join(' | ')})`);
      for (let i = 1; i < distinct.length; i++) {
        assert.ok(distinct[i].text.length > distinct[i - 1].text.length, `each step longer than the last: ${distinct[i - 1].text} → ${distinct[i].text}`);
      }
      const settled = firstRow.find((s) => !s.partial)!;
      assert.ok(settled.at - distinct[0].at >= 1000,
        `the first partial came ${Math.round(settled.at - distinct[0].at)} ms before the final line, during the speech`);
      assert.ok(firstRow.findIndex((s) => s.partial) < firstRow.findIndex((s) => !s.partial), 'partial first, then settled');
      assert.equal(await dash.locator('.lt-row').count(), 2, 'partials replace their line: one line per utterance');
      // translated speech: ui-audio loads each utterance by URL (examples-audio-url.test.ts checks what it plays)
      await dash.waitForFunction(() => { const a = document.querySelector('audio'); return !!a && a.src.includes('/livetranslate/audio/') && a.duration > 0; }, null, { timeout: 15000 });
      await dash.screenshot({ path: artifact('captions-page.png') });
    } finally {
      await dash.close();
    }
  });

  it('npm start says where the editor is once, however often the flows are deployed', function () {
    assert.ok(red.log.filter((l) => /Started flows/.test(l)).length >= 5, 'the flows were deployed again and again');
    assert.equal(red.log.filter((l) => /Node-RED editor: http/.test(l)).length, 1);
  });

  it('captions page: speech from the browser microphone is translated', async function () {
    // chromium's fake capture device plays the announcement as the microphone.
    const dash = await browser.context.newPage();
    try {
      await dash.goto(`${red.url}/dashboard/captions`);
      await dash.waitForSelector('.lt-captions', { timeout: 20000 });
      await dash.getByText('Start microphone').click();
      await dash.waitForSelector('text=Listening', { timeout: 10000 });
      await dash.waitForFunction(() => document.querySelectorAll('.lt-translation:not(.lt-partial)').length > 0, null, { timeout: 30000 });
      const line = await dash.locator('.lt-translation:not(.lt-partial)').first().innerText();
      assert.ok(line.trim().length > 0);
      await dash.getByText('Stop microphone').click();
      await dash.waitForSelector('text=Microphone off');
    } finally {
      await dash.close();
    }
  });
});

async function openEditor(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => typeof RED !== 'undefined' && RED.nodes && RED.nodes.getType('livetranslate-audio-in') &&
    (window as any).QwenLiveTranslate, null, { timeout: 30000 });
  await page.waitForSelector('.red-ui-palette-node[data-palette-type="livetranslate-audio-in"]');
}

async function importIntoEditor(page: Page, nodes: object[]): Promise<void> {
  await page.evaluate((n) => { RED.view.importNodes(n, { generateIds: false, addFlow: false }); }, nodes);
  await page.evaluate(() => RED.view.redraw(true));
}

async function clearNotifications(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelectorAll('.red-ui-notification').forEach((e) => e.remove()));
}

async function voiceOptions(page: Page): Promise<string[]> {
  return page.$$eval('#node-config-input-voice option', (os) => os.map((o) => (o as HTMLOptionElement).value));
}

/** No two nodes of the shown tab overlap (their boxes as the editor draws them, 10 px apart at least). */
async function assertNoOverlap(page: Page, name: string): Promise<void> {
  const boxes: Array<{ id: string; label: string; x: number; y: number; w: number; h: number }> = await page.evaluate(() => {
    const z = RED.workspaces.active();
    const out: any[] = [];
    RED.nodes.eachNode((n: any) => {
      if (n.z === z) out.push({ id: n.id, label: RED.utils.getNodeLabel(n, n.type), x: n.x, y: n.y, w: n.w, h: n.h });
    });
    return out;
  });
  assert.ok(boxes.length >= 3 && boxes.every((b) => b.w > 0 && b.h > 0), 'the editor gave every node a size');
  const GAP = 10;
  const clashes: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      const apartX = Math.abs(a.x - b.x) >= (a.w + b.w) / 2 + GAP;
      const apartY = Math.abs(a.y - b.y) >= (a.h + b.h) / 2 + GAP;
      if (!apartX && !apartY) clashes.push(`"${a.label}" (${a.x},${a.y} ${a.w}×${a.h}) and "${b.label}" (${b.x},${b.y} ${b.w}×${b.h})`);
    }
  }
  assert.deepEqual(clashes, [], `${name}: nodes overlap`);
}

/**
 * Every field of the dialogs of the package's nodes shows a value (or its default), none is marked
 * invalid: each node's dialog, and its session's, as a user opens them.
 */
async function assertFieldsShowValues(page: Page, nodes: Array<{ id: string; type: string }>): Promise<void> {
  const seen = new Set<string>();
  const readFields = (prefix: string) => page.evaluate((p) => {
    const def = p === 'node-config-input' ? RED.nodes.getType('livetranslate-session') : null;
    return Array.from(document.querySelectorAll(`[id^="${p}-"]`))
      .filter((e) => e.matches('input[type="text"], input:not([type]), select'))
      .map((e) => ({ id: e.id, value: (e as HTMLInputElement).value, error: e.classList.contains('input-error') && (e as HTMLElement).offsetParent !== null }))
      .filter((f) => !def || f.id.slice(p.length + 1) in def.defaults);
  }, prefix);
  for (const n of nodes) {
    if (seen.has(n.type)) continue;
    seen.add(n.type);
    await page.evaluate((id) => RED.editor.edit(RED.nodes.node(id)), n.id);
    await page.waitForSelector('#node-input-session', { state: 'visible' });
    const defaults: Record<string, { value: unknown }> = await page.evaluate((t) => RED.nodes.getType(t).defaults, n.type);
    const fields = (await readFields('node-input')).filter((f) => f.id.slice('node-input-'.length) in defaults && f.id !== 'node-input-session');
    assert.ok(fields.length >= 2, `${n.type}: the dialog has fields`);
    for (const f of fields) {
      const key = f.id.slice('node-input-'.length);
      if (defaults[key].value !== '') assert.notEqual(f.value, '', `${n.type}: ${key} shows a value`);
      assert.equal(f.error, false, `${n.type}: ${key} is not marked invalid`);
    }
    if (!seen.has('livetranslate-session')) {
      seen.add('livetranslate-session');
      await page.click('#node-input-btn-session-edit, #node-input-lookup-session');
      await page.waitForSelector('#node-config-input-targetLanguage option[value="th"]', { state: 'attached' });
      const sessionFields = await readFields('node-config-input');
      assert.ok(sessionFields.length >= 8, 'the session dialog has fields');
      const sessionDefaults: Record<string, { value: unknown }> = await page.evaluate(() => RED.nodes.getType('livetranslate-session').defaults);
      for (const f of sessionFields) {
        const key = f.id.slice('node-config-input-'.length);
        if (sessionDefaults[key].value !== '') assert.notEqual(f.value, '', `session: ${key} shows a value`);
        assert.equal(f.error, false, `session: ${key} is not marked invalid`);
      }
      await page.click('#node-config-dialog-cancel');
      await page.waitForSelector('#node-input-session', { state: 'visible' });
    }
    await page.click('#node-dialog-cancel');
    await page.waitForSelector('.red-ui-tray', { state: 'detached' });
  }
}
