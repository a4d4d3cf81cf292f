/** Starts server-process.ts in a child process and talks to it. */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface ServerCounts { sessions: number; audioBytes: number; appends: number; eventsSent: number }

export interface ServerProcess {
  url: string;
  counts(): Promise<ServerCounts>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export function startServer(mode: 'sim' | 'sink'): Promise<ServerProcess> {
  const child: ChildProcess = fork(join(__dirname, 'server-process.ts'), [mode], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const waiting = new Map<number, (m: { counts?: ServerCounts }) => void>();
  const ask = (cmd: string) => new Promise<{ counts?: ServerCounts }>((resolve) => {
    const id = nextId++;
    waiting.set(id, resolve);
    child.send({ cmd, id });
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench ${mode} server exited (${code})`)));
    child.on('message', (m: { url?: string; id?: number; counts?: ServerCounts }) => {
      if (m.url) {
        resolve({
          url: m.url,
          counts: async () => (await ask('stats')).counts as ServerCounts,
          reset: async () => { await ask('reset'); },
          stop: () => new Promise<void>((r) => {
            if (child.exitCode !== null) { r(); return; }
            child.removeAllListeners('exit');
            child.once('exit', () => r());
            child.kill('SIGTERM');
          }),
        });
        return;
      }
      if (m.id !== undefined) {
        const w = waiting.get(m.id);
        waiting.delete(m.id);
        if (w) w(m);
      }
    });
  });
}
