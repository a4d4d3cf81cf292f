/**
 * The examples whose output shows in the editor's debug sidebar or on MQTT, in a real browser:
 * each imported through Import > Examples under `npm start` with no key
 * (./support/example-import.ts says what is checked), deployed, and giving its output.
 * Screenshots of the imported flows go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { synthesizeSpeech } from '../src/simulator/speech-synth';
import { ANNOUNCEMENT_WAV, artifact, waitUntil, type Mosquitto, type RedProcess } from './support/browser-services';
import { FIRST_TRANSLATION, SECOND_TRANSLATION, inBrowser } from './support/browser-editor';
import { BROWSER_EXAMPLES, EXAMPLES, NEED_DEVICES, itImportsExample } from './support/example-import';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const RED: any;

describe('in a real browser: examples with their output in the debug sidebar and on MQTT', function () {
  this.timeout(60000);
  const b = inBrowser({ broker: true });
  let page: Page;
  let red: RedProcess;
  let mosquitto: Mosquitto;
  before(function () { ({ page, red } = b); mosquitto = b.mosquitto!; });

  it('ships the eight examples', function () {
    assert.deepEqual(EXAMPLES, ['camera-and-microphone.json', 'home-assistant-speaker.json', 'language-switch.json', 'live-captions-dashboard.json',
      'mqtt-kiosk.json', 'pi-kiosk-exec.json', 'translate-a-recording.json', 'what-is-mask.json']);
    // every example runs in a browser test, or with stand-ins for the devices it needs
    assert.deepEqual([...Object.values(BROWSER_EXAMPLES).flat(), ...NEED_DEVICES].sort(), EXAMPLES);
  });

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

  for (const file of BROWSER_EXAMPLES['browser-examples.test.ts']) {
    itImportsExample(b, file, () => EXAMPLE_OUTPUT[file.replace(/\.json$/, '')]());
  }

  it('npm start says where the editor is once, however often the flows are deployed', function () {
    assert.ok(red.log.filter((l) => /Started flows/.test(l)).length >= 5, 'the flows were deployed again and again');
    assert.equal(red.log.filter((l) => /Node-RED editor: http/.test(l)).length, 1);
  });
});
