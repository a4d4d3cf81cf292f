/**
 * `npm pack` of the working tree, as the registry would receive it (prepack builds the JavaScript
 * and drops `prepare` from the packed manifest; postpack puts it back).
 */
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** Packs into `destination` and returns the tarball's path. */
export function packTarball(destination: string): string {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [{ filename }] = JSON.parse(out) as Array<{ filename: string }>;
  return join(destination, filename);
}
