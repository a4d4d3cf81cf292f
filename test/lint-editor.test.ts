/**
 * The editor code lives in script blocks of nodes/*.html (Node-RED and the Flow Library read each
 * node's registerType there). ESLint must see it: a mistake planted in a block is reported at its
 * line in the .html file, and the shipped files are clean.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { ROOT } from './support/browser-services';

const NODES = join(ROOT, 'nodes');
const htmlFiles = readdirSync(NODES).filter((f) => f.endsWith('.html')).map((f) => join(NODES, f));

describe('lint of the editor code in nodes/*.html', function () {
  this.timeout(60000);
  const eslint = new ESLint({ cwd: ROOT });

  it('reports a mistake in a script block at its line of the .html file', async function () {
    const html = '<script type="text/html" data-template-name="x"><div></div></script>\n' +
      '<script type="text/javascript">\n(function() {\n    "use strict";\n    var unused = 1;\n    notDefinedAnywhere();\n})();\n</script>\n';
    const [result] = await eslint.lintText(html, { filePath: join(NODES, 'planted.html') });
    const found = result.messages.map((m) => `${m.line}:${m.ruleId}`).sort();
    assert.deepEqual(found, ['5:@typescript-eslint/no-unused-vars', '6:no-undef']);
  });

  it('keeps the second argument of every validator: Node-RED reads a (v, opt) validator\'s message by its arity', function () {
    const validators = htmlFiles.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/validate: function\(([^)]*)\)/g)].map((m) => `${f}: (${m[1]})`));
    assert.ok(validators.length >= 20, `the editor files have validators (${validators.length})`);
    assert.deepEqual(validators.filter((v) => !v.endsWith('(v, opt)')), []);
  });

  it('knows the editor globals (RED, $, window) and finds nothing in the shipped files', async function () {
    const results = await eslint.lintFiles(htmlFiles);
    assert.equal(results.length, htmlFiles.length);
    const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.ruleId}: ${m.message}`));
    assert.deepEqual(problems, []);
    const scriptLines = htmlFiles.reduce((n, f) => n + [...readFileSync(f, 'utf8').matchAll(/<script[^>]*text\/javascript[^>]*>([\s\S]*?)<\/script>/g)]
      .reduce((k, m) => k + m[1].split('\n').length, 0), 0);
    assert.ok(scriptLines >= 600, `the script blocks hold the editor code (${scriptLines} lines)`);
  });
});
