/**
 * N real-time sessions in steady state with an inspector attached to this process: a warm-up run
 * (JIT), then a measured run whose window (no deploy, connect, forced collection or undeploy) is
 * bracketed by `begin` and `end`. Shared by the CPU and allocation profiles.
 *   argv: [ours|peer] [sessions=100] [seconds=10]
 */
import { Session } from 'node:inspector';
import { startRed } from './red';
import { startServer } from './servers';
import { runStreaming, type Kind, type StreamingResult } from './streaming';

export type Post = <T>(method: string, params?: object) => Promise<T>;

export interface SteadyState<T> { kind: Kind; sessions: number; seconds: number; run: StreamingResult; measured: T }

export async function inspectSteadyState<T>(argv: string[], prepare: (post: Post) => Promise<void>,
  begin: (post: Post) => void, end: (post: Post) => Promise<T>): Promise<SteadyState<T>> {
  const kind = (argv[0] || 'ours') as Kind;
  const sessions = Number(argv[1] || 100);
  const seconds = Number(argv[2] || 10);
  const sim = await startServer('sim');
  const red = await startRed();
  const session = new Session();
  session.connect();
  const post: Post = <R>(method: string, params?: object) => new Promise<R>((ok, fail) => session.post(method, params, (e, r) => (e ? fail(e) : ok(r as R))));
  await prepare(post);
  await runStreaming(red, sim, { kind, sessions, sampleRate: 16000, channels: 1, seconds: 3, warmupSeconds: 1 });
  let measured: Promise<T> | undefined;
  const window = { start: () => begin(post), end: () => { measured = end(post); } };
  const run = await runStreaming(red, sim, { kind, sessions, sampleRate: 16000, channels: 1, seconds, warmupSeconds: 2, window });
  if (!measured) throw new Error('the measured window never ended');
  const result = await measured;
  await red.stop();
  await sim.stop();
  return { kind, sessions, seconds, run, measured: result };
}
