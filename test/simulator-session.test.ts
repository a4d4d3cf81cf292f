import assert from 'node:assert/strict';
import { Simulator } from '../src/simulator';
import { connectSim, refusedUpgrade, settle, type SimClient } from './support/sim-client';

const ID = (prefix: string) => new RegExp(`^${prefix}_[A-Za-z0-9]{21}$`);

describe('simulator: handshake, session.update, frames', function () {
  let sim: Simulator;
  let url: string;
  const logs: string[] = [];
  const clients: SimClient[] = [];

  async function open(key: string | null = 'sk-test', model?: string): Promise<SimClient> {
    const c = await connectSim(url, key, model);
    clients.push(c);
    await c.waitFor('session.created');
    return c;
  }

  beforeEach(async function () {
    logs.length = 0;
    sim = new Simulator({ realtime: false, log: (l) => logs.push(l) });
    url = await sim.start();
  });

  afterEach(async function () {
    for (const c of clients.splice(0)) c.ws.terminate();
    await sim.stop();
  });

  it('listens on loopback at …/api-ws/v1/realtime and sends session.created with the defaults', async function () {
    assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+\/api-ws\/v1\/realtime$/);
    assert.equal(sim.url, url);
    const c = await open();
    const e = c.events[0];
    assert.equal(e.type, 'session.created');
    assert.match(e.event_id, ID('event'));
    assert.match(e.session.id, ID('sess'));
    assert.deepEqual({ ...e.session, id: 'x' }, {
      id: 'x', object: 'realtime.session', model: 'qwen3-livetranslate-flash-realtime',
      modalities: ['text', 'audio'], voice: 'Cherry', input_audio_format: 'pcm16', output_audio_format: 'pcm24',
      translation: { language: 'en' },
    });
    assert.equal(sim.sessions.length, 1);
    assert.equal(sim.sessions[0].id, e.session.id);
    assert.deepEqual(sim.sessions[0].eventsSent, ['session.created']);
    assert.equal(sim.openSockets(), 1);
  });

  it("emits 'session' and 'close' with the session's record", async function () {
    const seen: string[] = [];
    sim.on('session', (r) => seen.push(`open ${r.id}`));
    sim.on('close', (r) => seen.push(`close ${r.id} ${r.closed}`));
    const c = await open();
    const id = c.events[0].session.id;
    await c.close();
    await settle(50);
    assert.deepEqual(seen, [`open ${id}`, `close ${id} true`]);
    assert.equal(sim.openSockets(), 0);
  });

  it('reports the model asked for, known snapshot or unknown (accepted, and logged)', async function () {
    const a = await open('k', 'qwen3-livetranslate-flash-realtime-2025-09-22');
    assert.equal(a.events[0].session.model, 'qwen3-livetranslate-flash-realtime-2025-09-22');
    assert.ok(!logs.some((l) => l.includes('unknown model')));
    const b = await open('k', 'no-such-model');
    assert.equal(b.events[0].session.model, 'no-such-model');
    assert.ok(logs.some((l) => l.includes("unknown model 'no-such-model'")));
  });

  it('refuses a missing or empty key with HTTP 401 and the DashScope JSON body', async function () {
    const variants: Record<string, string>[] = [{}, { Authorization: 'Bearer ' }, { Authorization: 'Basic abc' }];
    for (const headers of variants) {
      const r = await refusedUpgrade(url, headers);
      assert.equal(r.status, 401, JSON.stringify(headers));
      const body = JSON.parse(r.body);
      assert.equal(body.code, 'InvalidApiKey');
      assert.equal(body.message, 'Invalid API-key provided.');
      assert.equal(typeof body.request_id, 'string');
      assert.ok(body.request_id.length > 0);
    }
    assert.equal(sim.sessions.length, 0);
    assert.equal(sim.rejectedUpgrades, 3);
  });

  it('with apiKey set, accepts only that key and never logs a key', async function () {
    await sim.stop();
    sim = new Simulator({ realtime: false, apiKey: 'sk-right-key', log: (l) => logs.push(l) });
    url = await sim.start();
    const r = await refusedUpgrade(url, { Authorization: 'Bearer sk-wrong-key' });
    assert.equal(r.status, 401);
    const c = await open('sk-right-key');
    assert.equal(c.events[0].type, 'session.created');
    assert.ok(logs.length > 0);
    assert.ok(logs.every((l) => !l.includes('sk-right-key') && !l.includes('sk-wrong-key')), logs.join('\n'));
  });

  it('refuses other paths with 404', async function () {
    const r = await refusedUpgrade(url.replace('/api-ws/v1/realtime', '/other'), { Authorization: 'Bearer k' });
    assert.equal(r.status, 404);
  });

  it('a valid session.update gives session.updated with the full merged config', async function () {
    const c = await open();
    c.send({ type: 'session.update', session: {
      modalities: ['text'], translation: { language: 'ar' },
      input_audio_transcription: { model: 'qwen3-asr-flash-realtime', language: 'zh' },
    } });
    const u = await c.waitFor('session.updated');
    assert.equal(u.session.id, c.events[0].session.id);
    assert.deepEqual(u.session.modalities, ['text']);
    assert.equal(u.session.voice, 'Cherry', 'kept from the defaults');
    assert.equal(u.session.output_audio_format, 'pcm24');
    assert.deepEqual(u.session.translation, { language: 'ar' });
    assert.deepEqual(u.session.input_audio_transcription, { model: 'qwen3-asr-flash-realtime', language: 'zh' });
    // A later update merges into that one, object fields included.
    c.send({ type: 'session.update', session: { translation: { language: 'fr' }, modalities: ['text', 'audio'], voice: 'Nofish' } });
    const u2 = await c.waitFor('session.updated', 2);
    assert.deepEqual(u2.session.translation, { language: 'fr' });
    assert.equal(u2.session.voice, 'Nofish');
    assert.deepEqual(u2.session.input_audio_transcription, { model: 'qwen3-asr-flash-realtime', language: 'zh' });
    assert.deepEqual(sim.sessions[0].config.translation, { language: 'fr' });
  });

  const invalid: [string, Record<string, unknown>, string, RegExp][] = [
    ['an unknown target language', { translation: { language: 'xx' } }, 'session.translation.language', /xx/],
    ['audio output for a text-only target (ar)', { translation: { language: 'ar' } }, 'session.modalities', /'ar'/],
    ['a voice that cannot speak the target (Kiki for ja)', { voice: 'Kiki', translation: { language: 'ja' } }, 'session.voice', /Kiki/],
    ["modalities ['audio']", { modalities: ['audio'] }, 'session.modalities', /Supported combinations are: \['text'\] and \['audio', 'text'\]/],
    ['an unknown source language', { input_audio_transcription: { model: 'qwen3-asr-flash-realtime', language: 'auto' } }, 'session.input_audio_transcription.language', /auto/],
  ];
  for (const [what, update, param, message] of invalid) {
    it(`refuses ${what} with invalid_value on ${param}, config unchanged`, async function () {
      const c = await open();
      c.send({ type: 'session.update', session: update });
      const e = await c.waitFor('error');
      assert.equal(e.error.type, 'invalid_request_error');
      assert.equal(e.error.code, 'invalid_value');
      assert.equal(e.error.param, param);
      assert.match(e.error.message, message);
      assert.ok(!c.types().includes('session.updated'));
      assert.deepEqual(sim.sessions[0].config, {
        modalities: ['text', 'audio'], voice: 'Cherry', input_audio_format: 'pcm16', output_audio_format: 'pcm24', translation: { language: 'en' },
      });
    });
  }

  it('answers malformed JSON with an error and keeps the socket open', async function () {
    const c = await open();
    c.send('{"type": "session.update", ');
    const e = await c.waitFor('error');
    assert.equal(e.error.type, 'invalid_request_error');
    assert.equal(e.error.code, 'invalid_json');
    assert.match(e.error.message, /malformed JSON/);
    // Still usable.
    c.send({ type: 'session.update', session: { voice: 'Nofish' } });
    const u = await c.waitFor('session.updated');
    assert.equal(u.session.voice, 'Nofish');
    assert.equal(sim.openSockets(), 1);
  });

  it('answers bad frames with distinct errors', async function () {
    const c = await open();
    const cases: [unknown, string, string | null, RegExp][] = [
      ['[1,2]', 'invalid_json', null, /not a JSON object/],
      ['{"no":"type"}', 'invalid_json', null, /no "type"/],
      [{ type: 'foo.bar' }, 'invalid_value', 'type', /'foo.bar'/],
      [{ type: 'input_audio_buffer.commit' }, 'unsupported_event', 'type', /server/],
      [{ type: 'input_audio_buffer.clear' }, 'unsupported_event', 'type', /input_audio_buffer.clear/],
      [{ type: 'response.create' }, 'unsupported_event', 'type', /response.create/],
      [{ type: 'response.cancel' }, 'unsupported_event', 'type', /response.cancel/],
      [{ type: 'session.update' }, 'missing_required_parameter', 'session', /session/],
      [{ type: 'input_audio_buffer.append' }, 'missing_required_parameter', 'audio', /audio/],
      [{ type: 'input_audio_buffer.append', audio: 'not base64!' }, 'invalid_value', 'audio', /base64/],
      [{ type: 'input_audio_buffer.append', audio: 'AAA' }, 'invalid_value', 'audio', /base64/],
      [{ type: 'input_audio_buffer.append', audio: Buffer.from([1, 2, 3]).toString('base64') }, 'invalid_value', 'audio', /16-bit/],
      [{ type: 'input_audio_buffer.append', audio: '' }, 'invalid_value', 'audio', /empty/],
    ];
    for (const [frame] of cases) c.send(frame);
    c.ws.send(Buffer.from([0, 1, 2, 3]), { binary: true });
    await c.waitFor('error', cases.length + 1);
    const errors = c.events.filter((e) => e.type === 'error').map((e) => e.error);
    cases.forEach(([frame, code, param, message], i) => {
      assert.equal(errors[i].code, code, JSON.stringify(frame));
      assert.equal(errors[i].param, param, JSON.stringify(frame));
      assert.match(errors[i].message, message);
    });
    assert.equal(errors[cases.length].code, 'invalid_frame');
    assert.equal(sim.sessions[0].audioAppends, 0, 'no bad append counted');
    assert.equal(sim.openSockets(), 1);
  });

  it('stop() closes every socket and leaves no handles', async function () {
    const a = await open();
    const b = await open();
    assert.equal(sim.openSockets(), 2);
    const closedA = a.closed();
    const closedB = b.closed();
    await sim.stop();
    await Promise.all([closedA, closedB]);
    assert.equal(sim.openSockets(), 0);
    assert.ok(sim.sessions.every((s) => s.closed));
    await assert.rejects(connectSim(url), /ECONNREFUSED/);
  });
});
