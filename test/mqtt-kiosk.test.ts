/**
 * The MQTT kiosk example end to end against a real broker: Debian's mosquitto on loopback, a real
 * Node-RED running examples/mqtt-kiosk.json as shipped (only the simulator URL and the broker port
 * made the test's), and an MQTT client standing in for the announcer and the screens.
 *
 * A spoken announcement (a WAV) is published to kiosk/announcements; the translations must arrive
 * on kiosk/translations/<lang>, each in its own language, and the transcript on kiosk/transcript.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import type { Simulator } from '../src/simulator';
import {
  ANNOUNCEMENT_SCRIPT, ANNOUNCEMENT_WAV, exampleFlow, startExampleSimulator, startMosquitto, startNodeRed, waitUntil,
  type Mosquitto, type RedProcess,
} from './support/browser-services';

interface ScriptEntry { transcript: string; translations: Record<string, string> }

describe('MQTT kiosk example with a real mosquitto broker', function () {
  this.timeout(60000);
  let sim: Simulator;
  let red: RedProcess;
  let broker: Mosquitto;
  let client: mqtt.MqttClient;
  const received: Array<{ topic: string; text: string }> = [];

  before(async function () {
    this.timeout(60000);
    broker = await startMosquitto();
    const started = await startExampleSimulator();
    sim = started.sim;
    red = await startNodeRed({ env: { DASHSCOPE_API_KEY: 'e2e-test-key' } });
    const from = red.log.length;
    await red.deploy(exampleFlow('mqtt-kiosk.json', { simUrl: started.url, mqttPort: broker.port }));
    await waitUntil(() => red.log.slice(from).some((l) => /Connected to broker/.test(l)), 15000, 'Node-RED to connect to mosquitto');
    // the three sessions are open before the announcement starts
    await waitUntil(() => sim.sessions.filter((s) => !s.closed).length === 3, 15000, 'three sessions');
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'kiosk-test-screen' });
    client.on('message', (topic, payload) => { received.push({ topic, text: payload.toString('utf8') }); });
    await client.subscribeAsync('kiosk/#', { qos: 1 });
  });

  after(async function () {
    this.timeout(30000);
    if (client) await client.endAsync().catch(() => undefined);
    if (red) await red.stop();
    if (sim) await sim.stop();
    if (broker) await broker.stop();
  });

  it('publishes each utterance of a spoken announcement, translated, on the topic of each language', async function () {
    const script: ScriptEntry[] = JSON.parse(readFileSync(ANNOUNCEMENT_SCRIPT, 'utf8')).utterances;
    const logFrom = red.log.length;
    await client.publishAsync('kiosk/announcements', readFileSync(ANNOUNCEMENT_WAV), { qos: 1 });

    const on = (topic: string) => received.filter((m) => m.topic === topic).map((m) => m.text);
    await waitUntil(() => ['ja', 'zh', 'de'].every((l) => on(`kiosk/translations/${l}`).length >= script.length) &&
      on('kiosk/transcript').length >= script.length, 40000, 'every translation of every utterance');

    for (const lang of ['ja', 'zh', 'de']) {
      assert.deepEqual(on(`kiosk/translations/${lang}`), script.map((u) => u.translations[lang]), `kiosk/translations/${lang}`);
    }
    assert.deepEqual(on('kiosk/transcript'), script.map((u) => u.transcript));
    // nothing else was published under kiosk/ (no partials, no audio, no events)
    const topics = new Set(received.map((m) => m.topic));
    assert.deepEqual([...topics].sort(),
      ['kiosk/announcements', 'kiosk/transcript', 'kiosk/translations/de', 'kiosk/translations/ja', 'kiosk/translations/zh']);
    // each session heard the whole announcement
    for (const s of sim.sessions) assert.equal(s.utterances.length, script.length);
    assert.deepEqual(red.problems(logFrom), []);
  });
});
