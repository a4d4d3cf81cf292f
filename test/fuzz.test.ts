/**
 * Fuzz: more than 10,000 random and mutated inputs (bytes, strings, objects, typed arrays, WAV
 * and JPEG/PNG with corrupted headers, absurd formats and sizes, control actions with random
 * payloads) fed to audio-in, image-in and the control actions of a live session. Each message
 * must yield a result (done) or a catchable error (Catch node) — never a crash, an unhandled
 * rejection or a message left without an outcome. The seed is printed; FUZZ_SEED=… replays it.
 */
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { Simulator } from '../src/simulator';
import { encodeWav } from '../src/media/audio/wav';
import { recordFigures } from './support/figures';
import { ALL_NODES, catchNode, helper, loadFlow, sessionConfig, waitFor } from './support/red';
import { prng } from './support/image-fixtures';
import { tone } from './support/sim-audio';

const KEY = 'sk-fuzz-93c1d0b6a2e84f57';
const COUNT = Number(process.env.FUZZ_COUNT) || 10500;
const SEED = Number(process.env.FUZZ_SEED) || (Date.now() % 2147483647);

describe('fuzz: audio-in, image-in and control actions', function () {
  this.timeout(180000);
  let sim: Simulator;
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => { uncaught.push(e); };

  before(async function () {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    sim = new Simulator({ realtime: false, apiKey: KEY });
    await sim.start();
  });

  after(async function () {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    await helper.unload();
    await sim.stop();
  });

  it(`${COUNT} random and mutated inputs: each gets a result or a catchable error, the runtime keeps translating`, async function () {
     
    console.log(`      fuzz seed ${SEED} (FUZZ_SEED=${SEED} to replay), ${COUNT} inputs`);
    const r = prng(SEED);
    const int = (n: number) => Math.floor(r() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
    const bytes = (n: number) => { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = int(256); return b; };

    // Seeds to mutate: a real WAV, a real JPEG and PNG.
    const wav = encodeWav(tone(0.3, 440, -12), 16000, 1);
    const wav44 = encodeWav(Buffer.concat([tone(0.2, 440, -12, 44100), tone(0.2, 440, -12, 44100)]), 44100, 2);
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 40, b: 40 } } }).jpeg().toBuffer();
    const png = await sharp({ create: { width: 32, height: 32, channels: 4, background: { r: 0, g: 90, b: 200, alpha: 1 } } }).png().toBuffer();

    const mutate = (src: Buffer): Buffer => {
      const b = Buffer.from(src);
      switch (int(6)) {
        case 0: for (let k = 1 + int(8); k > 0; k--) b[int(Math.min(b.length, 64))] = int(256); return b; // header bytes
        case 1: return b.subarray(0, int(b.length)); // truncated
        case 2: for (let k = 1 + int(20); k > 0; k--) b[int(b.length)] = int(256); return b; // anywhere
        case 3: return Buffer.concat([b, bytes(int(2000))]); // trailing garbage
        case 4: { // absurd WAV fields: channels, rate, block align, bits, sizes
          if (b.length >= 44 && b.toString('latin1', 0, 4) === 'RIFF') {
            const field = pick([[22, 2], [24, 4], [28, 4], [32, 2], [34, 2], [40, 4], [4, 4], [16, 4]] as const);
            const v = pick([0, 1, 3, 7, 0xffff, 0x7fffffff, 0xffffffff, 44100, 8, 64]);
            if (field[1] === 2) b.writeUInt16LE(v & 0xffff, field[0]); else b.writeUInt32LE(v >>> 0, field[0]);
          } else if (b[0] === 0xff && b[1] === 0xd8) { // JPEG: find SOF0 and make it enormous
            const i = b.indexOf(Buffer.from([0xff, 0xc0]));
            if (i > 0 && i + 9 < b.length) { b.writeUInt16BE(pick([0, 1, 65535, 30000]), i + 5); b.writeUInt16BE(pick([0, 1, 65535, 30000]), i + 7); }
          } else if (b[1] === 0x50 && b[2] === 0x4e) { // PNG IHDR width/height
            b.writeUInt32BE(pick([0, 1, 0x7fffffff, 100000]), 16); b.writeUInt32BE(pick([0, 1, 0x7fffffff, 100000]), 20);
          }
          return b;
        }
        default: return Buffer.from(b.toString('latin1').split('').reverse().join(''), 'latin1');
      }
    };

    const weirdNumber = () => pick([0, -1, 1, 2, 3, 7, 8, 16, 24, 32, 64, 8000, 16000, 44100, 48000, 1e9, -1e9, NaN, Infinity, -Infinity, 1.5, 2 ** 31, Number.MAX_SAFE_INTEGER, '44100', 'abc', '', null, undefined, true, {}, []]);
    const randomString = () => pick([
      () => bytes(int(300)).toString('base64'),
      () => wav.toString('base64'),
      () => 'data:audio/wav;base64,' + mutate(wav).toString('base64'),
      () => 'data:image/jpeg;base64,' + mutate(jpeg).toString('base64'),
      () => 'data:;base64,@@@',
      () => 'data:image/png,' + 'x'.repeat(int(100)),
      () => pick(['start', 'stop', 'START', '', ' ', 'null', 'undefined', '{}', '[]']),
      () => String.fromCharCode(...Array.from({ length: int(200) }, () => int(0xffff))),
      () => 'A'.repeat(int(5) === 0 ? 2_000_000 : int(5000)),
    ])();
    const typedArray = () => {
      const n = int(25) === 0 ? 1_000_000 : int(4000);
      switch (int(6)) {
        case 0: { const a = new Int16Array(n); for (let i = 0; i < n; i += 7) a[i] = int(65536) - 32768; return a; }
        case 1: { const a = new Float32Array(n); for (let i = 0; i < n; i += 5) a[i] = pick([NaN, Infinity, -Infinity, 1e30, -1, 0.5]); return a; }
        case 2: return new Uint8Array(bytes(n % 5000));
        case 3: return new Float64Array(n % 3000).fill(0.25);
        case 4: return new Int32Array(n % 3000).fill(-5);
        default: return new DataView(new ArrayBuffer(n % 3000));
      }
    };
    const randomObject = (depth = 0): unknown => {
      if (depth > 3) return null;
      return pick([
        () => ({}),
        () => ({ image: mutate(jpeg) }),
        () => ({ image: randomString() }),
        () => ({ payload: randomObject(depth + 1) }),
        () => ({ data: bytes(int(100)), type: 'Buffer' }),
        () => ({ type: 'Buffer', data: Array.from(bytes(int(100))) }),
        () => [1, 2, 3, randomObject(depth + 1)],
        () => Array.from({ length: int(1000) }, () => int(65536)),
        () => new Date(),
        () => new Map([[1, 2]]),
        () => { const o: Record<string, unknown> = { a: 1 }; o.self = o; return o; },
        () => Object.create(null),
        () => ({ toString: () => { throw new Error('hostile toString'); } }),
      ])();
    };
    const payload = (): unknown => {
      switch (int(12)) {
        case 0: return bytes(int(4000));
        case 1: return int(30) === 0 ? bytes(8_000_000) : bytes(int(64));
        case 2: case 3: return mutate(int(2) ? wav : wav44);
        case 4: return mutate(int(2) ? jpeg : png);
        case 5: return randomString();
        case 6: return typedArray();
        case 7: return randomObject();
        case 8: return pick([null, undefined, 0, -1, NaN, true, false, Symbol('x'), () => 1, 10n]);
        case 9: return Buffer.concat([Buffer.from('RIFF'), bytes(int(60))]);
        case 10: return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), bytes(int(200))]);
        default: return wav;
      }
    };
    const msgFor = (target: 'audio' | 'image' | 'control'): Record<string, unknown> => {
      const m: Record<string, unknown> = {};
      if (target === 'control') {
        m.action = pick(['connect', 'disconnect', 'finish', 'update', 'update', 'update', '', 'CONNECT', 'explode', 42, null, {}, ['connect']]);
        m.payload = pick([
          () => ({ targetLanguage: pick(['ja', 'de', 'th', 'xx', '', 5, null]), output: pick(['text', 'text+audio', 'video', undefined]) }),
          () => ({ voice: pick(['Cherry', 'Kiki', 'Ethan', 12]), sourceLanguage: pick(['en', 'zh', 'auto', {}]) }),
          () => ({ transcription: pick([true, false, 'yes', 0]) }),
          () => randomObject(),
          () => randomString(),
        ])();
        return m;
      }
      m.payload = payload();
      if (int(3) === 0) m.sampleRate = weirdNumber();
      if (int(4) === 0) m.channels = weirdNumber();
      if (int(4) === 0) m.bitDepth = weirdNumber();
      if (int(6) === 0) m.encoding = pick(['float', 'signed-integer', 'pcm', 'ulaw', 5, '']);
      if (int(6) === 0) m.format = pick(['s16le', 'f32le', 'u8', 's24', 'mp3', 'wav', 7]);
      if (int(6) === 0) m.parts = pick([{ index: weirdNumber(), count: weirdNumber(), id: weirdNumber() }, 'parts', null, { index: 0 }]);
      if (int(8) === 0) m.complete = pick([true, 'true', 1]);
      if (int(10) === 0) m.meta = pick([{ sampleRate: weirdNumber(), channels: weirdNumber() }, 'meta', null]);
      if (int(10) === 0) m.action = undefined;
      return m;
    };

    const flow = [
      { id: 'fz', type: 'tab', label: 'fuzz' },
      sessionConfig({ id: 'sess', url: sim.url, bufferSeconds: 2, backoffInitialMs: 20, backoffMaxMs: 200, connectTimeoutMs: 1000 }),
      { id: 'a1', z: 'fz', type: 'livetranslate-audio-in', session: 'sess', pacing: 'fast', gate: 'off', wires: [] },
      { id: 'a2', z: 'fz', type: 'livetranslate-audio-in', session: 'sess', pacing: 'fast', gate: 'on', wires: [] },
      { id: 'i1', z: 'fz', type: 'livetranslate-image-in', session: 'sess', wires: [] },
      { id: 'o1', z: 'fz', type: 'livetranslate-translation-out', session: 'sess', partials: false, wires: [['tr'], [], [], []] },
      { id: 'tr', z: 'fz', type: 'helper' },
      { id: 'catcher', z: 'fz', type: 'catch', scope: ['a1', 'a2', 'i1'], uncaught: false, wires: [['caught']] },
      { id: 'completer', z: 'fz', type: 'complete', scope: ['a1', 'a2', 'i1'], uncaught: false, wires: [['completed']] },
      { id: 'caught', z: 'fz', type: 'helper' },
      { id: 'completed', z: 'fz', type: 'helper' },
    ];
     
    await loadFlow(flow, { sess: { apiKey: KEY } }, [...ALL_NODES, catchNode, require('@node-red/nodes/core/common/24-complete.js')]);
    await waitFor(() => sim.sessions.length > 0, 5000, 'session');

    const outcome = new Map<string, { done: number; err: number }>();
    const note = (id: string, k: 'done' | 'err') => {
      const o = outcome.get(id) || { done: 0, err: 0 };
      o[k]++;
      outcome.set(id, o);
    };
    helper.getNode('caught').on('input', (m: { _msgid: string }) => note(m._msgid, 'err'));
    helper.getNode('completed').on('input', (m: { _msgid: string }) => note(m._msgid, 'done'));

    const sent: Array<{ id: string; target: string }> = [];
    const perTarget: Record<string, number> = { audio: 0, image: 0, control: 0 };
    const t0 = Date.now();
    if (process.env.FUZZ_SLOW) {
      setInterval(() => {
        const late = sent.filter((x) => !outcome.has(x.id));
        if (late.length && late.length < 20) console.log('waiting for', late.map((x) => x.id + ':' + x.target).join(' '));  
      }, 2000).unref();
    }
    for (let n = 0; n < COUNT; n++) {
      const target = pick(['audio', 'audio', 'audio', 'image', 'image', 'control'] as const);
      const node = target === 'image' ? 'i1' : target === 'control' ? pick(['a1', 'i1']) : pick(['a1', 'a2']);
      const id = `fz-${n}`;
      const msg: Record<string, unknown> = { ...msgFor(target), _msgid: id };
      sent.push({ id, target });
      perTarget[target]++;
      const ts = Date.now();
      helper.getNode(node).receive(msg);
      const took = Date.now() - ts;
      if (process.env.FUZZ_SLOW && took > 30) {
        const p = msg.payload as { length?: number; constructor?: { name?: string } } | undefined;
         
        console.log('slow', took, target, node, p && p.constructor && p.constructor.name, p && p.length, msg.sampleRate, msg.channels, msg.bitDepth, msg.action);
      }
      // Let sockets, timers and image conversion run between bursts.
      if (n % 50 === 49) {
        const tw = Date.now();
        await new Promise((res) => setImmediate(res));
        if (process.env.FUZZ_SLOW && Date.now() - tw > 100) console.log('stall', Date.now() - tw, n);  
      }
      if (n % 1000 === 999) await new Promise((res) => setTimeout(res, 20));
    }
    const sendMs = Date.now() - t0;
    await waitFor(() => sent.every((s) => outcome.has(s.id)), 30000, 'an outcome for every message');
    const totalMs = Date.now() - t0;

    const errs = sent.filter((s) => outcome.get(s.id)!.err > 0).length;
     
    console.log(`      ${COUNT} inputs (${perTarget.audio} audio, ${perTarget.image} image, ${perTarget.control} control) in ${sendMs} ms; all answered after ${totalMs} ms; ${errs} catchable errors, ${COUNT - errs} accepted`);
    recordFigures(this.test, { seed: SEED, inputs: sent.length, ...perTarget, accepted: sent.length - errs, caughtErrors: errs, sendMs, answeredMs: totalMs });

    assert.deepEqual(uncaught, [], 'no unhandled exception or rejection');
    assert.ok(errs > COUNT / 10 && errs < COUNT, 'a mix of accepted inputs and caught errors');
    // Audio and control messages get exactly one outcome (image-in may add a later conversion error).
    for (const s of sent) {
      const o = outcome.get(s.id)!;
      if (s.target !== 'image') assert.equal(o.done + o.err, 1, `${s.id} (${s.target}): ${JSON.stringify(o)}`);
    }

    // Still alive and translating.
    // Korean: neither the flow's language nor one the fuzz sets, so a Korean line proves this update took.
    // The fuzz may have left a1 inside a recording (a WAV whose header gives no length, a file in parts): later
    // chunks would continue it, in its format. "stop" ends it, as a flow would before a new stream.
    helper.getNode('a1').receive({ payload: 'stop' });
    helper.getNode('a1').receive({ action: 'update', payload: { targetLanguage: 'ko', output: 'text' } });
    helper.getNode('a1').receive({ action: 'connect' });
    const translations: Array<{ payload?: unknown; language?: unknown }> = [];
    helper.getNode('tr').on('input', (m: { payload?: unknown; language?: unknown }) => { translations.push(m); });
    // Silence first: an utterance the fuzz's audio began before the update is answered as it began
    // (in the old settings); the silence ends it, so the tone is an utterance of its own.
    const speech = Buffer.concat([Buffer.alloc(48000), tone(1, 300, -12), Buffer.alloc(32000)]);
    for (let off = 0; off < speech.length; off += 3200) helper.getNode('a1').receive({ payload: speech.subarray(off, off + 3200) });
    // Audio the fuzz sent before the update can still be translated after it, in the flow's language
    // or one the fuzz set (more likely the busier the machine): the first Korean line is the proof.
    const korean = () => translations.find((t) => t.language === 'ko');
    await waitFor(korean, 10000, 'a Korean translation after the fuzz').catch((e: Error) => {
      const rt = (helper.getNode('sess') as unknown as { realtime: { state: string; stats: unknown; queuedAudioFrames: number } }).realtime;
      const last = sim.sessions[sim.sessions.length - 1];
      throw new Error(`${e.message}: client ${rt.state} ${JSON.stringify(rt.stats)}; simulator ${sim.sessions.length} sessions, last ${JSON.stringify({ ...last, receivedAudio: undefined, eventsSent: last.eventsSent.slice(-8), utterances: last.utterances.length })}`);
    });
    const first = korean()!;
    const earlier = translations.slice(0, translations.indexOf(first)).map((t) => t.language);
    assert.ok(earlier.every((l) => ['ja', 'de', 'th'].includes(l as string)), `lines before the Korean one are of audio sent before the update: ${earlier.join(', ')}`);
    assert.ok(typeof first.payload === 'string' && first.payload.length > 0, 'a translated line');
    assert.equal(sim.sessions[sim.sessions.length - 1].config.translation?.language, 'ko', 'the update reached the service');
  });
});
