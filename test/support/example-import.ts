/**
 * One test per example, as a user meets it: imported through Import > Examples, laid out without
 * overlapping nodes, every setting shown (its value or its default), deployed without errors,
 * every node connected, and its output (checked by the caller's `output`).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { EXAMPLES_DIR, PACKAGE_NAME, artifact, exampleFlow, waitUntil } from './browser-services';
import { clearNotifications, openEditor, type InBrowser } from './browser-editor';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const RED: any;

/** The examples the package ships. */
export const EXAMPLES = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();

/** Need what this machine lacks (a Home Assistant server; a microphone and a speaker): examples-audio-url.test.ts runs them with stand-ins. */
export const NEED_DEVICES = ['home-assistant-speaker.json', 'pi-kiosk-exec.json'];

/** Which browser test file runs which example: each example exactly once (browser-examples.test.ts checks). */
export const BROWSER_EXAMPLES = {
  'browser-examples.test.ts': ['translate-a-recording.json', 'what-is-mask.json', 'mqtt-kiosk.json'],
  'browser-dashboard.test.ts': ['camera-and-microphone.json', 'language-switch.json', 'live-captions-dashboard.json'],
};

/** Registers the test of one example (`file`, in examples/); `output` checks what it gives. */
export function itImportsExample(b: InBrowser, file: string, output: () => Promise<void>): void {
  const name = file.replace(/\.json$/, '');
  it(`imports "${name}" from Import > Examples; it runs under npm start with no key and gives its output`, async function () {
    this.timeout(120000);
    const { red, page } = b;
    await red.deploy([]);
    await openEditor(page, red.url);
    await page.evaluate(() => RED.actions.invoke('core:show-examples-import-dialog'));
    const tree = page.locator('.red-ui-clipboard-dialog-tabs-content');
    const entry = tree.locator('.red-ui-treeList-label', { hasText: new RegExp(`^\\s*${name}\\s*$`) });
    // The package's folder opens on a click. On a loaded machine the click can land while the
    // tree is still being built and leave the folder shut: click again until the example shows.
    await waitUntil(async () => {
      if (await entry.isVisible()) return true;
      await tree.locator('.red-ui-treeList-label', { hasText: PACKAGE_NAME }).click();
      return entry.waitFor({ state: 'visible', timeout: 10000 }).then(() => true, () => false);
    }, 30000, `${name} in the examples of ${PACKAGE_NAME}`);
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
    await output();

    const problems = red.problems(logFrom);
    assert.deepEqual(problems, [], `Node-RED logged no error or warning:\n${problems.join('\n')}`);
    const debugErrors = await page.evaluate(() => Array.from(document.querySelectorAll('.red-ui-debug-msg-level-20, .red-ui-debug-msg-level-30')).map((e) => e.textContent));
    assert.deepEqual(debugErrors, [], 'no error in the debug sidebar');
  });
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
