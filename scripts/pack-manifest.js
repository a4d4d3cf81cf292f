#!/usr/bin/env node
/**
 * The packed package.json without `prepare`.
 *
 * `prepare` builds the TypeScript for a git install (npm runs it in the clone before packing).
 * A tarball from `npm pack` / the registry already holds the built JavaScript, so its manifest
 * must not declare `prepare`: npm lists every declared `prepare` among the install scripts
 * awaiting approval. `prepack` calls `strip` (after the build), `postpack` calls `restore`.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const manifest = path.resolve(__dirname, '..', 'package.json');
const backup = `${manifest}.pack-backup`;

function restore() {
  if (fs.existsSync(backup)) fs.renameSync(backup, manifest);
}

function strip() {
  restore(); // a pack that failed half-way left its backup: start from the original
  const text = fs.readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  if (!pkg.scripts || !pkg.scripts.prepare) return;
  fs.writeFileSync(backup, text);
  delete pkg.scripts.prepare;
  fs.writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
}

const commands = { strip, restore };
const command = commands[process.argv[2]];
if (!command) {
  process.stderr.write('usage: pack-manifest.js strip|restore\n');
  process.exit(2);
}
command();
