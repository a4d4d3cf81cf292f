/**
 * Soak test (`npm run soak`): hours of simulated sessions in compressed time through the real
 * nodes, reporting the Node-RED process's RSS and heap growth after GC. Exits non-zero on any
 * audio frame that did not reach the service and on RSS growth of 10 MB or more after hour 1
 * (scripts/soak-verdict.ts). `npm test` runs a short one (test/soak.test.ts).
 *
 * Settings (environment): SOAK_HOURS (default 8), SOAK_SESSIONS (default 2), SOAK_CALIBRATION_MINUTES
 * (simulated minutes measured for the speed-up, default 30), SOAK_TEXT_ONLY=1 (no translated speech:
 * faster), SOAK_RESULT (where the JSON goes, default bench/results/soak.json).
 *
 * - The simulator runs in a child process (its own bookkeeping of every session is not ours to
 *   measure), replying at once (`--fast`).
 * - A Node-RED runtime (node-red-node-test-helper, its spies removed) runs SOAK_SESSIONS sessions
 *   (default 2), each with audio-in and translation-out; speech-like audio (1.5 s of tone, 1 s of
 *   silence) is pushed as fast as the socket takes it, so SOAK_HOURS (default 8) of audio per
 *   session pass in minutes.
 * - The lifecycle turns over as in months of use: each session is rotated every 110 simulated
 *   minutes (maxSessionMs scaled to the measured speed-up), disconnected and reopened by input
 *   every 3 simulated hours, and its options updated every 1.5 simulated hours.
 * - Memory is sampled after two forced GCs every simulated half hour; growth is measured from the
 *   end of the first simulated hour (warm-up) to the end.
 *
 * Prints a table and writes bench/results/soak.json. With `--write-docs` (`npm run soak -- --write-docs`)
 * a passing run with the default settings also goes to docs/soak.json and the docs' generated figures
 * (scripts/soak-publish.ts); other settings are refused before the run, a failed run after it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import helper from 'node-red-node-test-helper';
import { machineInfo } from '../bench/stats';
import { settingsProblems, writeSoakDocs } from './soak-publish';
import { settingsFromEnv, soakResult, summary, type Sample } from './soak-result';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SETTINGS = settingsFromEnv(process.env);
const { hours: HOURS, sessions: SESSIONS, calibrationMinutes: CALIBRATION_MINUTES, textOnly: TEXT_ONLY } = SETTINGS;
const WRITE_DOCS = process.argv.includes('--write-docs');
const RESULT_FILE = process.env.SOAK_RESULT || join(__dirname, '..', 'bench/results/soak.json');
const FRAME_BYTES = 3200; // 100 ms of 16 kHz PCM16
const FRAMES_PER_HOUR = 36000;
const ROOT = join(__dirname, '..');

function mb(n: number): number {
  return Math.round((n / 1048576) * 10) / 10;
}

function sample(simHours: number, t0: number): Sample {
  gc();
  gc();
  const m = process.memoryUsage();
  return {
    simHours: Math.round(simHours * 100) / 100, wallS: Math.round((Date.now() - t0) / 100) / 10,
    rssMB: mb(m.rss), heapMB: mb(m.heapUsed), externalMB: mb(m.external), arrayBuffersMB: mb(m.arrayBuffers),
  };
}

function startSimulator(): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'nodes/simulator/cli.js'), '--port', '0', '--fast', '--idle-timeout', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(ws:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1], child });
    });
    child.on('exit', (code) => reject(new Error(`simulator exited (${code})`)));
  });
}

function load(flow: object[], creds: object): Promise<void> {
  // Without a callback the helper's promise rejects when the flow does not start.
  return helper.load(ALL as never, flow as never, creds as never);
}

 
helper.init(require.resolve('node-red'));
const ALL = [
  require('../nodes/livetranslate-session.js'), require('../nodes/audio-in.js'),
  require('../nodes/image-in.js'), require('../nodes/translation-out.js'),
];
 

interface RealtimeLike {
  state: string;
  bufferedAmount: number;
  queuedAudioFrames: number;
  stats: { audioFramesAppended: number; audioFramesDropped: number; audioFramesSent: number; audioFramesFailed: number; rotations: number; connects: number };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const { url, child } = await startSimulator();
  const speech: Buffer[] = [];
  {
    const cycle = Buffer.alloc(2.5 * 32000);
    for (let i = 0; i < 1.5 * 16000; i++) cycle.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / 16000) * (1 + 0.3 * Math.sin(i / 900))), i * 2);
    for (let off = 0; off < cycle.length; off += FRAME_BYTES) speech.push(cycle.subarray(off, off + FRAME_BYTES));
  }

  // A first pass to measure the speed-up, so rotation happens every 110 simulated minutes.
  const build = (maxSessionMs: number) => {
    const flow: object[] = [{ id: 'soak', type: 'tab', label: 'soak' }];
    for (let i = 0; i < SESSIONS; i++) {
      flow.push({
        id: `s${i}`, type: 'livetranslate-session', endpoint: 'custom', url: `${url}?client=${i}`, model: 'qwen3-livetranslate-flash-realtime',
        sourceLanguage: 'en', targetLanguage: i % 2 ? 'de' : 'ja', output: i % 2 || TEXT_ONLY ? 'text' : 'text+audio', voice: 'Cherry', transcription: true,
        connectMode: 'deploy', idleTimeout: 60, bufferSeconds: 5, maxSessionMs, backoffInitialMs: 50, backoffMaxMs: 1000,
      });
      flow.push({ id: `in${i}`, z: 'soak', type: 'livetranslate-audio-in', session: `s${i}`, pacing: 'fast', gate: 'off', wires: [] });
      flow.push({ id: `out${i}`, z: 'soak', type: 'livetranslate-translation-out', session: `s${i}`, partials: true, audioFormat: i % 2 ? 'pcm' : 'wav', wires: [[`sink${i}`], [`sink${i}`], [`sink${i}`], [`sink${i}`]] });
      flow.push({ id: `sink${i}`, z: 'soak', type: 'helper' });
    }
    const creds: Record<string, unknown> = {};
    for (let i = 0; i < SESSIONS; i++) creds[`s${i}`] = { apiKey: 'sk-soak-local-simulator' };
    return { flow, creds };
  };
  const dropSpies = (flow: object[]) => {
    // The helper records every call for assertions; a soak must not measure that. Node-RED also
    // copies `send` onto each wired node when it starts, so the spy is replaced there too.
    const h = helper as unknown as { _sandbox: { restore(): void }; _NodePrototype: { send: unknown } };
    h._sandbox.restore();
    for (const n of flow as Array<{ id: string }>) {
      const node = helper.getNode(n.id) as unknown as { send?: { args?: unknown } } | null;
      if (node && Object.prototype.hasOwnProperty.call(node, 'send') && node.send && node.send.args !== undefined) {
        (node as { send: unknown }).send = h._NodePrototype.send;
      }
    }
  };
  const realtimeOf = (i: number) => (helper.getNode(`s${i}`) as unknown as { realtime: RealtimeLike }).realtime;

  const counts = { translations: 0, messages: 0 };
  const positions: number[] = new Array(SESSIONS).fill(0);
  const push = async (frames: number) => {
    const sent = new Array(SESSIONS).fill(0);
    let k = 0;
    const at = positions;
    while (sent.some((n) => n < frames)) {
      for (let i = 0; i < SESSIONS; i++) {
        if (sent[i] >= frames) continue;
        const rt = realtimeOf(i);
        // Back-pressure, as the client applies it: while the socket holds more than it wants
        // (maxSocketBufferBytes, 128 KiB) the client queues and its bounded queue drops; a file
        // source must wait instead. A closed session is reopened by input (one frame wakes it);
        // while it connects, wait.
        if (rt.state === 'connecting' || rt.state === 'closing' || rt.queuedAudioFrames > 0 || rt.bufferedAmount > 64 * 1024) continue;
        const burst = rt.state === 'open' ? 20 : 1;
        for (let j = 0; j < burst && sent[i] < frames; j++) {
          helper.getNode(`in${i}`).receive({ payload: speech[at[i]++ % speech.length] });
          sent[i]++;
        }
      }
      k += 20;
      await new Promise((r) => setImmediate(r));
      if (k % 2000 === 0) await new Promise((r) => setTimeout(r, 1));
    }
  };

  // Calibrate: 30 simulated minutes.
  const CALIBRATION_FRAMES = Math.round(CALIBRATION_MINUTES * 600);
  {
    const { flow, creds } = build(0);
    await load(flow, creds);
    dropSpies(flow);
    const t = Date.now();
    await push(CALIBRATION_FRAMES);
    const speedup = (CALIBRATION_FRAMES * 0.1) / ((Date.now() - t) / 1000);
    await new Promise<void>((r) => { void helper.unload().then(() => r()); });
    process.stdout.write(`calibration: ${speedup.toFixed(0)}x real time\n`);
    (globalThis as { soakSpeedup?: number }).soakSpeedup = speedup;
  }
  const speedup = (globalThis as { soakSpeedup?: number }).soakSpeedup as number;
  const rotateWallMs = Math.max(2000, Math.round((110 * 60 * 1000) / speedup));

  const { flow, creds } = build(rotateWallMs);
  await load(flow, creds);
  dropSpies(flow);
  for (let i = 0; i < SESSIONS; i++) {
    helper.getNode(`sink${i}`).on('input', (m: { topic?: string; partial?: boolean }) => {
      counts.messages++;
      if (m.topic === 'translation' && m.partial === false) counts.translations++;
    });
  }
  const t0 = Date.now();
  const samples: Sample[] = [sample(0, t0)];
  const halfHour = FRAMES_PER_HOUR / 2;
  for (let step = 1; step <= HOURS * 2; step++) {
    await push(halfHour);
    // Lifecycle churn on top of the rotations: every 3 simulated hours a disconnect (reopened by
    // the next input), every 1.5 h an options update.
    for (let i = 0; i < SESSIONS; i++) {
      if (step % 6 === 0) helper.getNode(`in${i}`).receive({ action: 'disconnect' });
      if (step % 3 === 0) helper.getNode(`in${i}`).receive({ action: 'update', payload: { targetLanguage: step % 2 ? 'fr' : 'ja' } });
    }
    await new Promise((r) => setTimeout(r, 50));
    const s = sample(step / 2, t0);
    samples.push(s);
    const rt = realtimeOf(0);
    if (process.env.SOAK_SNAPSHOT && (step === 2 || step === HOURS * 2)) process.stdout.write(`snapshot ${writeHeapSnapshot(`/tmp/soak-${step}.heapsnapshot`)}\n`);
    if (process.env.SOAK_PROBE) {
      const proto = (helper as unknown as { _NodePrototype: Record<string, { args?: unknown[] }> })._NodePrototype;
      const logSpy = (helper as unknown as { _log: { log: { args?: unknown[] } } })._log.log;
      process.stdout.write(`probe: send spy args ${proto.send.args ? proto.send.args.length : 'none'}, status ${proto.status.args ? proto.status.args.length : 'none'}, log ${logSpy.args ? logSpy.args.length : 'none'}\n`);
    }
    process.stdout.write(`  ${String(s.simHours).padStart(5)} h  ${String(s.wallS).padStart(6)} s  rss ${String(s.rssMB).padStart(6)} MB  heap ${String(s.heapMB).padStart(5)} MB  ext ${String(s.externalMB).padStart(5)} MB  connects ${rt.stats.connects} rotations ${rt.stats.rotations} translations ${counts.translations}\n`);
  }
  const wallSeconds = (Date.now() - t0) / 1000;
  const clientStats = Array.from({ length: SESSIONS }, (_, i) => ({ ...realtimeOf(i).stats }));
  await helper.unload();
  child.kill('SIGTERM');

  const result = soakResult({ settings: SETTINGS, machine, wallSeconds, translations: counts.translations, messages: counts.messages, clientStats, samples });
  mkdirSync(dirname(RESULT_FILE), { recursive: true });
  writeFileSync(RESULT_FILE, JSON.stringify(result, null, 2));
  process.stdout.write(summary(result, RESULT_FILE));
  if (WRITE_DOCS && result.failures.length) process.stdout.write('docs not written: only a passing soak is published\n');
  else if (WRITE_DOCS) process.stdout.write(`figures written to ${writeSoakDocs(result).join(', ')}\n`);
  process.exit(result.failures.length ? 1 : 0);
}

// A run that may not be published is refused before it spends its minutes.
const refused = WRITE_DOCS ? settingsProblems(SETTINGS, process.env) : [];
if (refused.length) {
  process.stderr.write(`soak --write-docs: the docs publish only a run with the default settings:\n  ${refused.join('\n  ')}\n`);
  process.exit(2);
}
main().catch((e) => {
  process.stderr.write(`soak failed: ${(e as Error).stack || e}\n`);
  process.exit(1);
});
