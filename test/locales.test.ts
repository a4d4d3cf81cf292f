/**
 * The message catalogues and the sidebar help exist in every language the package ships
 * (en-US, ja, zh-CN), with the same keys: a setting added in en-US and not translated fails here.
 * Help is in locales/<lang>/<node>.html, as in Node-RED core, so the editor shows the help of the
 * user's language (and en-US where there is none).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support/browser-services';

const LOCALES = join(ROOT, 'nodes', 'locales');
const LANGS = ['ja', 'zh-CN'];
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const nodeFiles: Record<string, string> = pkg['node-red'].nodes;

function keys(o: unknown, prefix = ''): string[] {
  if (!o || typeof o !== 'object') return [prefix];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}
function get(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), o);
}
/** __placeholders__ of a Node-RED i18n string. */
function placeholders(s: unknown): string[] {
  return typeof s === 'string' ? (s.match(/__[a-zA-Z]+__/g) || []).sort() : [];
}
/** The msg properties a help file documents (the <dt> names), in order. */
function helpProperties(html: string): string[] {
  return [...html.matchAll(/<dt[^>]*>\s*([^<\s][^<]*?)\s*<span class="property-type">/g)]
    .map((m) => m[1].trim()).filter((n) => /^[a-zA-Z][\w, ]*$/.test(n));
}

describe('locales: en-US, ja and zh-CN', function () {
  const enFiles = readdirSync(join(LOCALES, 'en-US')).filter((f) => f.endsWith('.json')).sort();

  it('has a message catalogue and a help file per node, in every language', function () {
    const bases = Object.values(nodeFiles).map((f) => f.replace(/^nodes\//, '').replace(/\.js$/, '')).sort();
    assert.deepEqual(enFiles.map((f) => f.replace(/\.json$/, '')), bases);
    for (const lang of ['en-US', ...LANGS]) {
      for (const b of bases) {
        assert.ok(existsSync(join(LOCALES, lang, `${b}.json`)), `${lang}/${b}.json`);
        assert.ok(existsSync(join(LOCALES, lang, `${b}.html`)), `${lang}/${b}.html`);
      }
    }
  });

  for (const file of readdirSync(join(LOCALES, 'en-US')).filter((f) => f.endsWith('.json')).sort()) {
    it(`${file}: every en-US key is in ja and zh-CN, with the same placeholders, and translated`, function () {
      const en = JSON.parse(readFileSync(join(LOCALES, 'en-US', file), 'utf8'));
      const enKeys = keys(en);
      assert.ok(enKeys.length > 5);
      for (const lang of LANGS) {
        const tr = JSON.parse(readFileSync(join(LOCALES, lang, file), 'utf8'));
        const missing = enKeys.filter((k) => typeof get(tr, k) !== 'string');
        assert.deepEqual(missing, [], `${lang}/${file} lacks keys present in en-US`);
        const extra = keys(tr).filter((k) => get(en, k) === undefined);
        assert.deepEqual(extra, [], `${lang}/${file} has keys en-US no longer has`);
        for (const k of enKeys) assert.deepEqual(placeholders(get(tr, k)), placeholders(get(en, k)), `${lang}/${file} ${k}: placeholders`);
        // translated, not copied: most sentences differ from English (names and units may not)
        const sentences = enKeys.filter((k) => / /.test(String(get(en, k))) && /[a-z]{4}/.test(String(get(en, k))) && !/^(audio in|image in|translation out|livetranslate session)$/.test(String(get(en, k))));
        const copied = sentences.filter((k) => get(tr, k) === get(en, k));
        assert.deepEqual(copied, [], `${lang}/${file}: untranslated`);
      }
    });
  }

  for (const base of Object.values(nodeFiles).map((f) => f.replace(/^nodes\//, '').replace(/\.js$/, ''))) {
    it(`${base}: help in every language documents the same msg properties, and lives only in locales/`, function () {
      const type = Object.keys(nodeFiles).find((t) => nodeFiles[t] === `nodes/${base}.js`)!;
      const editor = readFileSync(join(ROOT, 'nodes', `${base}.html`), 'utf8');
      assert.doesNotMatch(editor, /data-help-name=/, 'help is not inline (it would hide the translations)');
      const en = readFileSync(join(LOCALES, 'en-US', `${base}.html`), 'utf8');
      assert.match(en, new RegExp(`<script type="text/html" data-help-name="${type}">`));
      const enProps = helpProperties(en).filter((p) => /^[a-z]/.test(p));
      for (const lang of LANGS) {
        const html = readFileSync(join(LOCALES, lang, `${base}.html`), 'utf8');
        assert.match(html, new RegExp(`<script type="text/html" data-help-name="${type}">`), `${lang}: help for ${type}`);
        const props = helpProperties(html).filter((p) => /^[a-z]/.test(p));
        assert.deepEqual(props, enProps, `${lang}/${base}.html documents the msg properties en-US documents`);
        assert.match(html, lang === 'ja' ? /[\u3040-\u30ff]/ : /[\u4e00-\u9fff]/, `${lang}: written in ${lang}`);
        assert.equal((html.match(/<h3>/g) || []).length, (en.match(/<h3>/g) || []).length, `${lang}: the same sections`);
      }
    });
  }
});
