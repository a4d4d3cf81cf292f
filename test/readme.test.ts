/**
 * The README is read on GitHub, on npm and on the Flow Library. npm and the Flow Library show it
 * without the repository around it, so a relative `docs/images/x.png` breaks there: every picture
 * and every link into the repository must be absolute, derived from package.json's `repository`.
 * The README leads with install and use; development lives in CONTRIBUTING.md.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support/browser-services';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** `owner/name` of the GitHub repository package.json names. */
function githubRepo(): string {
  const url: string = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  const m = /github\.com[/:]([^/]+\/[^/.]+?)(?:\.git)?$/.exec(url || '');
  assert.ok(m, `package.json repository is a GitHub URL (got ${String(url)})`);
  return m[1];
}

function headings(md: string): string[] {
  return [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
}

describe('README on npm and the Flow Library', function () {
  let repo = '';
  let raw = '';
  let blob = '';
  before(function () {
    repo = githubRepo();
    raw = `https://raw.githubusercontent.com/${repo}/main/`;
    blob = `https://github.com/${repo}/blob/main/`;
  });

  it('package.json names the repository, where to report bugs and the home page', function () {
    assert.equal(pkg.repository?.url, `git+https://github.com/${repo}.git`);
    assert.equal(pkg.bugs?.url, `https://github.com/${repo}/issues`);
    assert.equal(pkg.homepage, `https://github.com/${repo}#readme`);
  });

  it('shows every picture by an absolute URL to a file that exists', function () {
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    assert.ok(images.length >= 3, `README shows pictures (found ${images.length})`);
    for (const src of images) {
      assert.ok(src.startsWith(raw), `${src} is an absolute raw URL of ${repo}`);
      const file = src.slice(raw.length);
      assert.ok(existsSync(join(ROOT, file)), `${file} exists in the repository`);
    }
  });

  it('links into the repository by absolute URLs to files that exist', function () {
    const links = [...readme.matchAll(/(?<!!)\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    assert.ok(links.some((l) => l.includes('CONTRIBUTING.md')), 'README links to CONTRIBUTING.md');
    for (const href of links) {
      assert.match(href, /^https?:\/\//, `${href} is absolute`);
      if (!href.startsWith(blob)) continue;
      const file = href.slice(blob.length).replace(/#.*$/, '');
      assert.ok(existsSync(join(ROOT, file)), `${file} exists in the repository`);
    }
  });

  it('leads with install and use; development is in CONTRIBUTING.md', function () {
    const h = headings(readme);
    assert.equal(h[0], 'Install');
    for (const dev of ['Tests', 'Performance', 'Package checks', 'Layout']) assert.ok(!h.includes(dev), `README has no "${dev}" section`);
    for (const use of ['Examples', 'Messages']) assert.ok(h.some((x) => x.startsWith(use)), `README has "${use}"`);
    assert.match(readme, /^npm start\b/m, 'npm start is shown');
    assert.match(readme, /^npm test\b/m, 'npm test is shown');
    const contributing = readFileSync(join(ROOT, 'CONTRIBUTING.md'), 'utf8');
    for (const dev of ['Tests', 'Performance', 'Package checks', 'Source layout']) assert.ok(headings(contributing).includes(dev), `CONTRIBUTING.md has "${dev}"`);
    assert.ok(!existsSync(join(ROOT, 'docs', 'readme-user.md')), 'no stale draft of the README');
  });
});
