/**
 * The package as `npm pack` makes it, which is what the registry and the palette manager install:
 * built JavaScript beside the editor files, the icons where Node-RED looks for them, and no
 * script that would run (or ask for approval) when it is installed.
 *
 * The version matrix (scripts/version-matrix.ts) packs once and passes the tarball in
 * LIVETRANSLATE_TARBALL; run alone, this file packs the working tree itself.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packTarball } from './support/tarball';

const ROOT = resolve(__dirname, '..');

describe('the packed package', function () {
  this.timeout(120000);
  let dir: string;
  let files: string[];
  let manifest: { scripts?: Record<string, string>; files: string[]; 'node-red': { nodes: Record<string, string> } };

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'livetranslate-pack-'));
    const tarball = process.env.LIVETRANSLATE_TARBALL || packTarball(dir);
    execFileSync('tar', ['-xzf', tarball, '-C', dir]);
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
    files = listing.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    manifest = JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8'));
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships the icon sources in icons/ and the same files in nodes/icons/, beside the node files', function () {
    const sources = readdirSync(join(ROOT, 'icons')).sort();
    assert.ok(sources.length >= 3, `icons/ holds the sources (${sources.join(', ')})`);
    assert.deepEqual(files.filter((f) => f.startsWith('icons/')).sort(), sources.map((f) => `icons/${f}`));
    assert.deepEqual(files.filter((f) => f.startsWith('nodes/icons/')).sort(), sources.map((f) => `nodes/icons/${f}`));
    for (const f of sources) {
      assert.deepEqual(readFileSync(join(dir, 'package', 'nodes', 'icons', f)), readFileSync(join(ROOT, 'icons', f)), f);
    }
  });

  it('ships the built JavaScript of every node and no TypeScript sources', function () {
    const nodeFiles = Object.values(manifest['node-red'].nodes);
    assert.equal(nodeFiles.length, 4);
    for (const js of nodeFiles) {
      assert.ok(files.includes(js), `${js} in the tarball`);
      assert.ok(files.includes(js.replace(/\.js$/, '.html')), `editor file of ${js} in the tarball`);
    }
    assert.deepEqual(files.filter((f) => f.startsWith('src/') || f.endsWith('.ts') || f.startsWith('tsconfig')), []);
  });

  it('declares no script that runs when it is installed (prepare is for git installs only)', function () {
    const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'];
    assert.deepEqual(installScripts.filter((s) => manifest.scripts && s in manifest.scripts), []);
    // The working tree keeps `prepare`, so a git install still builds.
    const source = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(source.scripts.prepare, 'npm run build');
  });
});
