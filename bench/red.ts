/**
 * An embedded Node-RED runtime (require('node-red'), as an application embeds it), with this
 * package installed in a temporary user dir, flows deployed through the runtime API. Not the
 * test helper: its spies record every send, which would be measured too.
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

export interface RedNode {
  id: string;
  receive(msg: object): void;
  send(msg: unknown): void;
  [k: string]: unknown;
}

interface RedApi {
  init(server: Server, settings: object): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  nodes: { getNode(id: string): RedNode | null };
  events: import('node:events').EventEmitter;
  runtime: { flows: { setFlows(opts: object): Promise<unknown> } };
}

export interface EmbeddedRed {
  deploy(flows: object[]): Promise<void>;
  node<T = RedNode>(id: string): T;
  stop(): Promise<void>;
}

export async function startRed(): Promise<EmbeddedRed> {
  const userDir = mkdtempSync(join(tmpdir(), 'livetranslate-bench-'));
  mkdirSync(join(userDir, 'node_modules'));
  symlinkSync(ROOT, join(userDir, 'node_modules', 'node-red-contrib-qwen-livetranslate'), 'dir');
  writeFileSync(join(userDir, 'package.json'), JSON.stringify({ name: 'bench', private: true, dependencies: { 'node-red-contrib-qwen-livetranslate': '*' } }));
  writeFileSync(join(userDir, 'flows.json'), '[]');
  const RED = require('node-red') as RedApi;
  const server = createServer();
  RED.init(server, {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    httpAdminRoot: '/admin',
    httpNodeRoot: false,
    disableEditor: true,
    editorTheme: { tours: false, projects: { enabled: false } },
    logging: { console: { level: process.env.BENCH_RED_LOG || 'error', metrics: false, audit: false } },
    externalModules: { autoInstall: false },
    functionExternalModules: false,
  });
  await RED.start();
  return {
    async deploy(flows: object[]) {
      // Flow nodes live on a tab; config nodes (no wires) are global.
      const tab = { id: 'bench-tab', type: 'tab', label: 'bench' };
      const placed = flows.map((n) => ('wires' in n ? { z: tab.id, x: 100, y: 100, ...n } : n));
      // Credentials ride inline, as the editor deploys them.
      // setFlows resolves before the new flows have started; runtime-deploy with its revision says they have.
      const seen = new Set<string>();
      let wake: () => void = () => undefined;
      const on = (e: { id: string; payload?: { revision?: string } }) => {
        if (e.id === 'runtime-deploy' && e.payload && e.payload.revision) { seen.add(e.payload.revision); wake(); }
      };
      RED.events.on('runtime-event', on);
      try {
        const { rev: revision } = (await RED.runtime.flows.setFlows({ flows: { flows: [tab, ...placed] }, deploymentType: 'full' })) as { rev: string };
        while (!seen.has(revision)) await new Promise<void>((ok) => { wake = ok; });
      } finally {
        RED.events.off('runtime-event', on);
      }
    },
    node<T = RedNode>(id: string): T {
      const n = RED.nodes.getNode(id);
      if (!n) throw new Error(`no node ${id}`);
      return n as unknown as T;
    },
    async stop() {
      await RED.stop();
      server.close();
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}
