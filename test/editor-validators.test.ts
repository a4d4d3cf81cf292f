/**
 * Every property validator in the editor files takes two parameters, (value, opt): Node-RED 3.x
 * shows the message a validator returns only when validate.length === 2; a one-parameter
 * validator's message counts there as "valid".
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const NODES = resolve(__dirname, '..', 'nodes');

describe('editor validators', function () {
  for (const file of readdirSync(NODES).filter((f) => f.endsWith('.html'))) {
    it(`${file}: every validator takes (value, opt)`, function () {
      const text = readFileSync(join(NODES, file), 'utf8');
      const validators = [...text.matchAll(/validate:\s*function\s*\(([^)]*)\)/g)].map((m) => m[1]);
      const factories = [...text.matchAll(/function\s+\w*Validator\s*\([^)]*\)\s*\{\s*return\s+function\s*\(([^)]*)\)/g)].map((m) => m[1]);
      const all = [...validators, ...factories];
      assert.ok(all.length >= 1, `${file} has validators`);
      const oneParam = all.filter((params) => params.split(',').filter((p) => p.trim()).length !== 2);
      assert.deepEqual(oneParam, [], `${file}: validators with other than two parameters`);
    });
  }
});
