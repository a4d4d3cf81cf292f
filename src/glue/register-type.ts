/** Registers a node type with the constructor's own definition and credential types, without casts. */
import type { Node, NodeAPI, NodeDef } from 'node-red';

type Credentials<TCreds> = { [K in keyof TCreds]: { type: 'text' | 'password' } };

export function registerNodeType<TDef extends NodeDef, TCreds extends object = object>(
  RED: NodeAPI,
  type: string,
  constructor: (this: Node<TCreds>, def: TDef) => void,
  opts?: { credentials?: Credentials<TCreds> },
): void {
  RED.nodes.registerType<Node<TCreds>, TDef, unknown, TCreds>(type, constructor, opts);
}
