/**
 * How a target's tests are cut into mocha jobs for the lanes (./lanes.ts): the long files each in
 * a process of their own, the many short ones in a few bundles, so that no job is much longer than
 * the longest file and few processes pay mocha's and Node-RED's start-up. Jobs come with the
 * seconds they are expected to take, to start the longest first.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/**
 * Files that take long enough to run alone, with the seconds each took in a serial run on
 * 2 cores (per-file wall time; the end-to-end slice runs a part of them). The figures only order
 * the queue; a file missing here goes into a bundle, and a wrong figure costs time, never a test.
 */
const LONG_FILES: Record<string, number> = {
  'test/browser-examples.test.ts': 80,
  'test/browser-dashboard.test.ts': 75,
  'test/examples-audio-url.test.ts': 50,
  'test/faults.test.ts': 38,
  'test/browser.test.ts': 30,
  'test/fuzz.test.ts': 19,
  'test/nodes-variants-matrix.test.ts': 18,
  'test/mqtt-kiosk.test.ts': 12,
  'test/nodes-media-matrix.test.ts': 11,
  'test/nodes-outage.test.ts': 10,
  'test/soak.test.ts': 10,
  'test/media-audio-resampler-oracles.test.ts': 8,
  'test/nodes-media-image.test.ts': 8,
  // Short, but in a process of its own: the allocation meter it tests counts every allocation of its
  // process, and in a bundle the leftovers of earlier files (sockets closing, timers) add to it.
  'test/bench-tools.test.ts': 2,
};

/**
 * Files that drive chromium (each with its own Node-RED): the heaviest start-ups, so the lanes
 * run only a few of them at once.
 */
const BROWSER_FILES = new Set(['test/browser.test.ts', 'test/browser-examples.test.ts', 'test/browser-dashboard.test.ts', 'test/examples-audio-url.test.ts']);

/**
 * Files that must have the machine to themselves. The fault suite bounds every reconnect, and the
 * recovery suite the stall watchdog, by their timers plus the event-loop lag each measures in its own
 * process; CPU taken by other processes delays timers further than that measure shows, so beside
 * other jobs they fail at random.
 */
const ALONE_FILES = new Set(['test/faults.test.ts', 'test/client-recovery.test.ts']);

/** How many bundles the short files of the whole suite make. */
const BUNDLES = 2;

export interface Planned {
  files: string[];
  /** What the job is called in the log. */
  name: string;
  seconds: number;
  browser: boolean;
  alone: boolean;
}

/** `test/**\/*.test.ts`, as mocha's spec glob finds them, relative to the repository. */
export function suiteFiles(): string[] {
  return (readdirSync(join(ROOT, 'test'), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `test/${f.split('\\').join('/')}`)
    .sort();
}

function ownJob(f: string, share: number): Planned {
  return { files: [f], name: f, seconds: Math.round((LONG_FILES[f] ?? 1) * share), browser: BROWSER_FILES.has(f), alone: ALONE_FILES.has(f) };
}

/** The whole suite as jobs: the long files alone, the rest in BUNDLES bundles. */
export function planSuite(files: string[]): Planned[] {
  const short = files.filter((f) => !(f in LONG_FILES) && !ALONE_FILES.has(f));
  const bundles = Array.from({ length: BUNDLES }, (_, b) => short.filter((_f, i) => i % BUNDLES === b))
    .filter((b) => b.length > 0)
    .map((b, i, all) => ({
      files: b,
      name: `short files, bundle ${i + 1} of ${all.length} (${b.length} files)`,
      // about a second a file: mocha, tsx and often a Node-RED runtime to load
      seconds: b.length,
      browser: b.some((f) => BROWSER_FILES.has(f)),
      alone: false,
    }));
  return [...files.filter((f) => f in LONG_FILES || ALONE_FILES.has(f)).map((f) => ownJob(f, 1)), ...bundles];
}

/**
 * A slice (a few tests of a few files, picked by --grep) as jobs: each browser file alone, so its
 * start-up runs beside the others, the rest together.
 */
export function planSlice(files: string[]): Planned[] {
  const rest = files.filter((f) => !BROWSER_FILES.has(f));
  // a slice runs a few tests of each file: about half a long file's time
  const browsers = files.filter((f) => BROWSER_FILES.has(f)).map((f) => ownJob(f, 0.5));
  return rest.length ? [...browsers, { files: rest, name: rest.join(', '), seconds: 5, browser: false, alone: false }] : browsers;
}
