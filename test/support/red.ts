/**
 * A real Node-RED runtime (node-red-node-test-helper) with this package's compiled nodes, and
 * small helpers to wire flows to the simulator and collect what the nodes send.
 */
import testHelper from 'node-red-node-test-helper';
import type { Node } from 'node-red';
import { join } from 'node:path';
import { NODE_RED_DIR, PACKAGE_DIR, fromNodeRed } from './under-test';

/**
 * A node as the helper hands it out: the runtime's node wrapped in sinon spies, which also emits
 * `call:<method>` events, and whose listeners the tests type themselves.
 */
export type TestNode = Node & { on(event: string, listener: (...args: never[]) => void): TestNode };

export const helper = testHelper as Omit<typeof testHelper, 'getNode'> & { getNode(id: string): TestNode };

helper.init(require.resolve(NODE_RED_DIR));

// The compiled nodes (npm test builds first; the version matrix installs the tarball), as Node-RED loads them.
export const sessionNode = require(join(PACKAGE_DIR, 'nodes', 'livetranslate-session.js'));
export const audioInNode = require(join(PACKAGE_DIR, 'nodes', 'audio-in.js'));
export const imageInNode = require(join(PACKAGE_DIR, 'nodes', 'image-in.js'));
export const translationOutNode = require(join(PACKAGE_DIR, 'nodes', 'translation-out.js'));
export const ALL_NODES = [sessionNode, audioInNode, imageInNode, translationOutNode];
// Core nodes used by test flows (catch, debug…) are loaded by the helper itself.
export const catchNode = require(fromNodeRed('@node-red/nodes/core/common/25-catch.js'));

export interface SessionSettings {
  id?: string;
  url: string;
  sourceLanguage?: string;
  targetLanguage?: string;
  output?: 'text' | 'text+audio';
  voice?: string;
  transcription?: boolean;
  connectMode?: 'deploy' | 'input';
  [k: string]: unknown;
}

export function sessionConfig(s: SessionSettings): Record<string, unknown> {
  return {
    id: s.id || 'sess1', type: 'livetranslate-session', name: 'test session',
    endpoint: 'custom', model: 'qwen3-livetranslate-flash-realtime',
    sourceLanguage: 'en', targetLanguage: 'ja', output: 'text+audio', voice: 'Cherry', transcription: true,
    connectMode: 'deploy', idleTimeout: 60, allowInsecure: false, ...s,
  };
}

export function loadFlow(flow: object[], credentials: Record<string, unknown> = {}, nodes: unknown[] = ALL_NODES): Promise<void> {
  // Without a callback the helper's promise rejects when the flow does not start.
  return helper.load(nodes as never, flow as never, credentials as never);
}

export interface Captured { port: number; msg: Record<string, unknown>; at: number }

/** Collects every message a node sends, per output, in order. */
export function capture(node: Pick<Node, 'send'>): Captured[] {
  const out: Captured[] = [];
  const original = node.send.bind(node);
  node.send = (m) => {
    const arr = Array.isArray(m) ? m : [m];
    arr.forEach((msg, port) => { if (msg) out.push({ port, msg: msg as Record<string, unknown>, at: Date.now() }); });
    original(m);
  };
  return out;
}

export async function waitFor<T>(fn: () => T | undefined | false, timeoutMs = 15000, what = 'condition'): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Node status objects set on a node, in order. */
export function statuses(node: { status: (s: unknown) => void }): Array<{ fill?: string; shape?: string; text?: string }> {
  const out: Array<{ fill?: string; shape?: string; text?: string }> = [];
  const original = node.status.bind(node);
  node.status = (s: unknown) => {
    out.push(s as { fill?: string; text?: string });
    original(s);
  };
  return out;
}
