/**
 * The Dashboard 2 examples and the live-captions page in a real browser, under `npm start` with no
 * key: each example imported through Import > Examples (./support/example-import.ts says what is
 * checked) and showing the translation on its dashboard page; the captions page showing the
 * transcript and the translation of a spoken WAV fed through the flow (the inject node of the
 * example plays it, where a user would speak into the microphone), and of speech captured by the
 * browser's microphone (chromium's fake capture device playing the same recording).
 * Screenshots of the pages go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { artifact, exampleFlow, waitUntil, type RedProcess } from './support/browser-services';
import { FIRST_SOURCE, FIRST_TRANSLATION, SECOND_TRANSLATION, inBrowser } from './support/browser-editor';
import { BROWSER_EXAMPLES, itImportsExample } from './support/example-import';

/* eslint-disable @typescript-eslint/no-explicit-any */

describe('in a real browser: dashboard examples and the captions page', function () {
  this.timeout(60000);
  const b = inBrowser();
  let simUrl: string;
  let red: RedProcess;
  before(function () { ({ simUrl, red } = b); });

  /** What each example shows a user once deployed: the translation of the bundled announcement. */
  const EXAMPLE_OUTPUT: Record<string, () => Promise<void>> = {
    'live-captions-dashboard': () => dashboardShowsTranslation('/dashboard/captions', FIRST_TRANSLATION, () => red.inject('a11ce00000000004')),
    'language-switch': () => dashboardShowsTranslation('/dashboard/language', FIRST_TRANSLATION, () => red.inject('a1a9000000000007')),
    // chromium's fake camera and microphone; the microphone loops the announcement from wherever it is
    'camera-and-microphone': () => dashboardShowsTranslation('/dashboard/camera', /[\u4e00-\u9fff]/, async (dash) => {
      await dash.getByText('Start camera and microphone').click();
    }),
  };

  for (const file of BROWSER_EXAMPLES['browser-dashboard.test.ts']) {
    itImportsExample(b, file, () => EXAMPLE_OUTPUT[file.replace(/\.json$/, '')]());
  }

  /** Opens a dashboard page, starts the speech (`play`), and waits for the settled translation `line` on it. */
  async function dashboardShowsTranslation(path: string, line: string | RegExp, play: (dash: Page) => Promise<void>): Promise<void> {
    const dash = await b.context.newPage();
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
    // The admin API answers before the new flows have started: open the page once they have (in the
    // end-to-end slice this is the file's first deploy, with no dashboard built before it).
    const from = red.log.length;
    await red.deploy(exampleFlow('live-captions-dashboard.json', { simUrl }));
    await waitUntil(() => red.log.slice(from).some((l) => /Started flows/.test(l)), 20000, 'the flows to start');
    const dash = await b.context.newPage();
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

  it('captions page: speech from the browser microphone is translated', async function () {
    // chromium's fake capture device plays the announcement as the microphone.
    const dash = await b.context.newPage();
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
