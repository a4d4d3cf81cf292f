/**
 * Runs in its own process (forked by servers.ts) so that the service's side of the socket does
 * not count in the process being measured. Modes:
 * - `sim`: the package's simulator (real-time replies, any bearer key);
 * - `sink`: the same handshake, then appends are only counted (for throughput runs, where the
 *   simulator's own VAD would be the bottleneck).
 * Talks over IPC: sends {url} once listening; answers {cmd:'stats'} with counts; {cmd:'stop'} exits.
 */
import { WebSocketServer } from 'ws';
import { Simulator } from '../src/simulator';

interface Counts { sessions: number; audioBytes: number; appends: number; eventsSent: number }

const mode = process.argv[2] === 'sink' ? 'sink' : 'sim';
const send = (m: unknown) => { if (process.send) process.send(m); };

async function main(): Promise<void> {
  let counts: () => Counts;
  let reset: () => void;
  if (mode === 'sim') {
    const sim = new Simulator({ port: 0, realtime: true });
    const closed: Counts = { sessions: 0, audioBytes: 0, appends: 0, eventsSent: 0 };
    // Sessions open at a reset belong to the run before: they close a little later and must not count.
    let before = new WeakSet<object>();
    sim.on('close', (rec) => {
      const i = sim.sessions.indexOf(rec);
      if (i >= 0) sim.sessions.splice(i, 1);
      if (before.has(rec)) return;
      closed.sessions++;
      closed.audioBytes += rec.audioBytesReceived;
      closed.appends += rec.audioAppends;
      closed.eventsSent += rec.eventsSent.length;
    });
    counts = () => {
      const c = { ...closed };
      for (const r of sim.sessions) {
        if (before.has(r)) continue;
        c.sessions++;
        c.audioBytes += r.audioBytesReceived;
        c.appends += r.audioAppends;
        c.eventsSent += r.eventsSent.length;
      }
      return c;
    };
    reset = () => {
      closed.sessions = 0; closed.audioBytes = 0; closed.appends = 0; closed.eventsSent = 0;
      before = new WeakSet(sim.sessions);
    };
    const url = await sim.start();
    send({ url });
  } else {
    const c: Counts = { sessions: 0, audioBytes: 0, appends: 0, eventsSent: 0 };
    const APPEND = '{"type":"input_audio_buffer.append"';
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 64 << 20 });
    wss.on('connection', (ws) => {
      c.sessions++;
      const session = { id: 'sess_sink', object: 'realtime.session', model: 'qwen3-livetranslate-flash-realtime' };
      ws.send(JSON.stringify({ type: 'session.created', session }));
      ws.on('message', (data: Buffer) => {
        // Appends are counted by their length alone: the sink must cost less than what it measures.
        if (data.length > 200 && data.toString('latin1', 0, APPEND.length) === APPEND) {
          c.appends++;
          c.audioBytes += Math.floor(((data.length - APPEND.length - 11) * 3) / 4);
          return;
        }
        const ev = JSON.parse(data.toString()) as { type: string; session?: object };
        if (ev.type === 'session.update') ws.send(JSON.stringify({ type: 'session.updated', session: { ...session, ...ev.session } }));
        if (ev.type === 'session.finish') ws.send(JSON.stringify({ type: 'session.finished' }));
      });
      ws.on('error', () => undefined);
    });
    counts = () => ({ ...c });
    reset = () => { c.sessions = 0; c.audioBytes = 0; c.appends = 0; c.eventsSent = 0; };
    await new Promise<void>((r) => wss.on('listening', () => r()));
    const addr = wss.address() as { port: number };
    send({ url: `ws://127.0.0.1:${addr.port}/api-ws/v1/realtime` });
  }
  process.on('message', (m: { cmd: string; id: number }) => {
    if (m.cmd === 'stats') send({ id: m.id, counts: counts(), cpu: process.cpuUsage() });
    else if (m.cmd === 'reset') { reset(); send({ id: m.id }); }
    else if (m.cmd === 'stop') process.exit(0);
  });
  process.on('disconnect', () => process.exit(0));
}

main().catch((e: Error) => {
  process.stderr.write(`bench server: ${e.message}\n`);
  process.exit(1);
});
