/**
 * The browser tests' set-up: `npm start` (scripts/start.js) with no DASHSCOPE_API_KEY, Debian's
 * chromium (playwright-core) open on its editor, and, for the MQTT example, a mosquitto broker.
 * Each browser test file starts its own in a `before` (`npm test` runs the files side by side,
 * each in a mocha process of its own), and the editor actions the tests share.
 */
import type { BrowserContext, Page } from 'playwright-core';
import {
  ANNOUNCEMENT_WAV, PACKAGE_NAME, launchChromium, rewriteExample, startMosquitto, startNpmStart,
  type Mosquitto, type RedProcess,
} from './browser-services';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const RED: any;

/** What the simulator of `npm start` answers for the bundled announcement. */
export const FIRST_TRANSLATION = '皆さん、おはようございます。四半期会議へようこそ。';
export const FIRST_SOURCE = 'Good morning, everyone.';
export const SECOND_TRANSLATION = 'プレゼンテーションは5分後に始まります。';

export interface InBrowser {
  /** The simulator `npm start` started. */
  simUrl: string;
  red: RedProcess;
  /** Only with `{ broker: true }`. */
  mosquitto?: Mosquitto;
  context: BrowserContext;
  /** The editor's page. */
  page: Page;
}

/**
 * Registers the `before` and `after` of the calling describe; the object returned is filled in by
 * the `before`. The example flows the editor imports are served with their simulator URL
 * (ws://127.0.0.1:8765, what `npm start` serves by default) and their broker port made the test's.
 */
export function inBrowser(opts: { broker?: boolean } = {}): InBrowser {
  const b = {} as InBrowser;
  let browser: { context: BrowserContext; close(): Promise<void> } | undefined;

  before(async function () {
    this.timeout(90000);
    if (opts.broker) b.mosquitto = await startMosquitto();
    // What a newcomer runs: no API key anywhere, the examples as shipped.
    const started = await startNpmStart();
    b.red = started;
    b.simUrl = started.simUrl;
    browser = await launchChromium([
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${ANNOUNCEMENT_WAV}`, '--autoplay-policy=no-user-gesture-required',
    ]);
    b.context = browser.context;
    b.page = await browser.context.newPage();
    // leaving the editor with undeployed changes asks first: say yes
    b.page.on('dialog', (d) => { d.accept().catch(() => undefined); });
    await b.page.route(`**/library/examples/flows/${PACKAGE_NAME}/**`, async (route) => {
      const res = await route.fetch();
      const flow = rewriteExample(JSON.parse(await res.text()), { simUrl: b.simUrl, mqttPort: b.mosquitto?.port });
      await route.fulfill({ response: res, body: JSON.stringify(flow) });
    });
    await openEditor(b.page, b.red.url);
  });

  after(async function () {
    this.timeout(30000);
    if (browser) await browser.close();
    if (b.red) await b.red.stop();
    if (b.mosquitto) await b.mosquitto.stop();
  });

  return b;
}

export async function openEditor(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => typeof RED !== 'undefined' && RED.nodes && RED.nodes.getType('livetranslate-audio-in') &&
    (window as any).QwenLiveTranslate, null, { timeout: 30000 });
  await page.waitForSelector('.red-ui-palette-node[data-palette-type="livetranslate-audio-in"]');
}

export async function importIntoEditor(page: Page, nodes: object[]): Promise<void> {
  await page.evaluate((n) => { RED.view.importNodes(n, { generateIds: false, addFlow: false }); }, nodes);
  await page.evaluate(() => RED.view.redraw(true));
}

export async function clearNotifications(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelectorAll('.red-ui-notification').forEach((e) => e.remove()));
}
