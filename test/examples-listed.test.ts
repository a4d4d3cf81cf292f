/**
 * Node-RED lists a package under Import > Examples only when its examples folder reads as flows
 * first (its registry checks the folder's JSON summary for `{"f":`): a sub-folder without flows,
 * read before the flows, hides every example. The media the examples play therefore sit beside
 * them as plain files, not in a folder.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { EXAMPLES_DIR } from './support/browser-services';

// Node-RED's own registry code, as the runtime runs it
const library = require('@node-red/registry/lib/library.js') as {
  init(): void;
  addExamplesDir(module: string, path: string): Promise<void>;
  getExampleFlows(): Record<string, { f?: string[]; d?: unknown }> | null;
};

describe('examples in Import > Examples', function () {
  it('Node-RED\'s registry lists every example flow of the package', async function () {
    library.init();
    await library.addExamplesDir('node-red-contrib-qwen-livetranslate', EXAMPLES_DIR);
    const listed = library.getExampleFlows();
    const flows = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
    assert.ok(flows.length >= 7);
    assert.ok(listed && listed['node-red-contrib-qwen-livetranslate'], 'the package has no entry under Import > Examples');
    assert.deepEqual([...(listed['node-red-contrib-qwen-livetranslate'].f || [])].sort(), flows);
    assert.deepEqual(readdirSync(EXAMPLES_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name), [],
      'a folder in examples/ can hide the examples');
  });
});
