/** Registers a node type with the constructor's own node, definition and credential types, without casts. */
import type { Node, NodeAPI, NodeDef } from 'node-red';

type Credentials<TCreds> = { [K in keyof TCreds]-?: { type: 'text' | 'password' } };

/** `TCreds` is the node's credentials (e.g. `{ apiKey?: string }`); nodes without credentials leave it out. */
export function registerNodeType<TDef extends NodeDef, TCreds extends object = object, TNode extends Node<TCreds> = Node<TCreds>>(
  RED: NodeAPI,
  type: string,
  constructor: (this: TNode, def: TDef) => void,
  opts?: { credentials?: Credentials<TCreds> },
): void {
  RED.nodes.registerType<TNode, TDef, unknown, TCreds>(type, constructor, opts);
}
