/**
 * Which Node-RED, which Node.js and which copy of this package the end-to-end tests run.
 *
 * By default: the Node-RED of the devDependencies, this Node.js, and the working tree itself.
 * The version matrix (scripts/version-matrix.ts) points them elsewhere: another Node-RED
 * release, another Node.js binary for the Node-RED process, and the package as installed from
 * its `npm pack` tarball into a fresh user dir.
 */
import { dirname, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const PACKAGE_NAME = 'node-red-contrib-qwen-livetranslate';

/** The node-red package directory (holds red.js). */
export const NODE_RED_DIR = process.env.LIVETRANSLATE_NODE_RED ? resolve(process.env.LIVETRANSLATE_NODE_RED) : dirname(require.resolve('node-red/package.json'));

/** The Node.js binary a spawned Node-RED runs on. */
export const NODE_BIN = process.env.LIVETRANSLATE_NODE ? resolve(process.env.LIVETRANSLATE_NODE) : process.execPath;

/** This package's directory: the working tree, or where the tarball was installed. */
export const PACKAGE_DIR = process.env.LIVETRANSLATE_INSTALLED
  ? resolve(process.env.LIVETRANSLATE_INSTALLED, 'node_modules', PACKAGE_NAME)
  : ROOT;

/** A module of the Node-RED under test (core nodes, @node-red/util…), resolved from it. */
export function fromNodeRed(id: string): string {
  return require.resolve(id, { paths: [NODE_RED_DIR] });
}
