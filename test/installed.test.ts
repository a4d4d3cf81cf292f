/**
 * The package as a running Node-RED loads it from a user dir: the four node types registered
 * from this package, nothing failed to load, and the icons served. The version matrix runs this
 * on every Node-RED and Node.js it covers; it also proves the process under test is the one the
 * matrix claims (versions read from Node-RED's own start-up log).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_NAME, ROOT, startNodeRed, type RedProcess } from './support/browser-services';
import { NODE_BIN, NODE_RED_DIR } from './support/under-test';

interface NodeSet { id: string; module: string; types: string[]; enabled: boolean; err?: string }

describe('installed in a Node-RED user dir', function () {
  this.timeout(60000);
  let red: RedProcess;

  before(async function () {
    red = await startNodeRed();
  });

  after(async function () {
    if (red) await red.stop();
  });

  it('runs the Node-RED and the Node.js under test', function () {
    const nodeRed = JSON.parse(readFileSync(join(NODE_RED_DIR, 'package.json'), 'utf8')).version as string;
    const node = execFileSync(NODE_BIN, ['--version'], { encoding: 'utf8' }).trim();
    const said = red.log.join('\n');
    assert.match(said, new RegExp(`Node-RED version: v${nodeRed.replace(/\./g, '\\.')}\\b`));
    assert.match(said, new RegExp(`Node\\.js\\s+version: ${node.replace(/\./g, '\\.')}\\b`));
  });

  it('registers the four node types from this package, enabled, none in error', async function () {
    const res = await fetch(`${red.url}/nodes`, { headers: { accept: 'application/json' } });
    assert.equal(res.status, 200);
    const sets = (await res.json() as NodeSet[]).filter((s) => s.module === PACKAGE_NAME);
    const declared = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))['node-red'].nodes);
    assert.equal(declared.length, 4);
    assert.deepEqual(sets.flatMap((s) => s.types).sort(), declared.sort());
    for (const s of sets) {
      assert.equal(s.err, undefined, `${s.id}: ${s.err}`);
      assert.equal(s.enabled, true, `${s.id} enabled`);
    }
    // (start-up warnings about the test's own settings are not the package's)
    const problems = red.problems().filter((l) => /livetranslate/.test(l));
    assert.deepEqual(problems, [], `Node-RED logged no error or warning about the package:\n${problems.join('\n')}`);
  });

  it('serves every icon of the package', async function () {
    const icons = readdirSync(join(ROOT, 'icons'));
    assert.ok(icons.length >= 3);
    for (const icon of icons) {
      const res = await fetch(`${red.url}/icons/${PACKAGE_NAME}/${icon}`);
      assert.equal(res.status, 200, icon);
      assert.match(res.headers.get('content-type') || '', /svg/, icon);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), readFileSync(join(ROOT, 'icons', icon)), icon);
    }
  });
});
