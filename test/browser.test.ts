/**
 * The editor in a real browser, the way a user meets the package: `npm start` (scripts/start.js)
 * starts Node-RED and the simulator with no DASHSCOPE_API_KEY, and Debian's chromium (through
 * playwright-core) drives the editor: the palette shows the nodes; the session dialog refuses
 * invalid language/output/voice combinations with a visible reason; every dialog in each editor
 * language. Screenshots of the edit dialogs go to test-artifacts/.
 *
 * The examples are in browser-examples.test.ts and browser-dashboard.test.ts.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { artifact, waitUntil, type RedProcess } from './support/browser-services';
import { clearNotifications, importIntoEditor, inBrowser, openEditor } from './support/browser-editor';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const RED: any;
declare const $: any;

const SESSION = {
  type: 'livetranslate-session', name: '', endpoint: 'custom', model: 'qwen3-livetranslate-flash-realtime',
  connectMode: 'deploy', idleTimeout: 60, allowInsecure: false,
};

describe('in a real browser: the editor', function () {
  this.timeout(60000);
  const b = inBrowser();
  let page: Page;
  let simUrl: string;
  let red: RedProcess;
  before(function () { ({ page, simUrl, red } = b); });

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
});

async function voiceOptions(page: Page): Promise<string[]> {
  return page.$$eval('#node-config-input-voice option', (os) => os.map((o) => (o as HTMLOptionElement).value));
}
