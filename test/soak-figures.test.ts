/**
 * The soak's published figures are generated, not typed: only a complete, passing soak with the default
 * settings may be published (scripts/soak-publish.ts refuses anything else), and the checks here find a
 * failed or shortened run, figures that do not add up, and figures typed into the prose around the blocks.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, type SoakResult } from '../scripts/soak-result';
import { publishProblems, renderSoakBlocks, settingsProblems, SOAK_DOCS_FILE, SOAK_PUBLISHED, SOAK_TAG, writeSoakDocs } from '../scripts/soak-publish';
import { applyBlocks, outsideBlocks } from '../bench/publish';

/** A figure the soak measures: a number with a unit or a count it reports (settings are given in hours and minutes). */
const ROOT = join(__dirname, '..');
/** The published files as they are now, to show that a refusal wrote none of them. */
const snapshot = () => [SOAK_DOCS_FILE, ...SOAK_PUBLISHED.map((d) => join(ROOT, d.file))].map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : null));

const SOAK_FIGURE = /\d[\d,.]*\s?(?:×|%|MB|MiB|s\b|(?:audio )?frames\b|sent\b|dropped\b|translations\b|renewals\b|rotations\b|connections\b)/g;

/**
 * The parts of a markdown text that speak of the soak, outside its generated blocks: each paragraph, table
 * row or list item that names it.
 */
function soakProse(text: string): string[] {
  const units = outsideBlocks(text, SOAK_TAG).split(/\n\s*\n/).flatMap((p) => (p.trimStart().startsWith('|') ? p.split('\n') : p.split(/\n(?=\s*- )/)));
  return units.filter((u) => /soak/i.test(u));
}

/** A passing default run as scripts/soak-result.ts records it, with round figures (not measured: input for the checks). */
function passingResult(): SoakResult {
  const frames = DEFAULT_SETTINGS.hours * 36000;
  const stats = { audioFramesAppended: frames, audioFramesSent: frames, audioFramesDropped: 0, audioFramesFailed: 0, rotations: 4, connects: 6 };
  return {
    date: '2026-01-02T03:04:05.000Z', node: 'v20.0.0',
    machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 4, node: 'v20.0.0', os: 'linux test', loadAverage: 0.5 }, loadAverageAtEnd: 0.7,
    simulatedHoursPerSession: DEFAULT_SETTINGS.hours, sessions: DEFAULT_SETTINGS.sessions, calibrationMinutes: DEFAULT_SETTINGS.calibrationMinutes,
    textOnly: false, wallSeconds: 600, speedup: 48, rotationEverySimulatedMinutes: 110, translations: 20000, messages: 90000,
    framesAppended: 2 * frames, framesSent: 2 * frames, framesDropped: 0, rotations: 8, connections: 12,
    growthFromStart: { rssMB: 20, heapMB: 3 }, growthFromHour1: { rssMB: -0.5, heapMB: 0.2, externalMB: 0 },
    failures: [], clientStats: [{ ...stats }, { ...stats }], samples: [],
  };
}

describe('soak figures: what may be published', () => {
  it('a complete, passing run with the default settings may be published', () => {
    assert.deepEqual(publishProblems(passingResult()), []);
    assert.deepEqual(settingsProblems(DEFAULT_SETTINGS, {}), []);
  });

  it('a failed soak may not: a recorded failure, or counts that fail the verdict', () => {
    const failed = { ...passingResult(), failures: ['session 0: 3 of 288000 audio frames dropped'] };
    assert.ok(publishProblems(failed).some((p) => p.startsWith('the soak failed')), publishProblems(failed).join('; '));
    const dropped = passingResult();
    dropped.clientStats[1] = { ...dropped.clientStats[1], audioFramesDropped: 3, audioFramesSent: dropped.clientStats[1].audioFramesSent - 3 };
    assert.ok(publishProblems(dropped).some((p) => p.startsWith('its figures fail the verdict')), publishProblems(dropped).join('; '));
    const grown = { ...passingResult(), growthFromHour1: { rssMB: 12, heapMB: 0, externalMB: 0 } };
    assert.ok(publishProblems(grown).some((p) => p.includes('RSS grew 12 MB')), publishProblems(grown).join('; '));
  });

  it('a run with other settings may not, nor one with diagnostics switched on', () => {
    const cases: Array<[Partial<SoakResult>, string]> = [
      [{ simulatedHoursPerSession: 1 }, 'SOAK_HOURS'], [{ sessions: 1 }, 'SOAK_SESSIONS'],
      [{ calibrationMinutes: 5 }, 'SOAK_CALIBRATION_MINUTES'], [{ textOnly: true }, 'SOAK_TEXT_ONLY'],
    ];
    for (const [change, env] of cases) {
      const problems = publishProblems({ ...passingResult(), ...change });
      assert.ok(problems.some((p) => p.startsWith(env)), `${env}: ${problems.join('; ')}`);
    }
    assert.equal(settingsProblems({ ...DEFAULT_SETTINGS, hours: 2, textOnly: true }).length, 2);
    assert.equal(settingsProblems(DEFAULT_SETTINGS, { SOAK_SNAPSHOT: '1', SOAK_PROBE: '1' }).length, 2);
  });

  it('figures that do not add up, or are missing, may not', () => {
    const typed = { ...passingResult(), framesSent: 576001 };
    assert.ok(publishProblems(typed).some((p) => p.startsWith('framesSent 576001 is not the sessions\' sum')), publishProblems(typed).join('; '));
    const short = passingResult();
    short.clientStats = short.clientStats.map((s) => ({ ...s, audioFramesAppended: 1000, audioFramesSent: 1000 }));
    const shortSums = { ...short, framesAppended: 2000, framesSent: 2000 };
    assert.ok(publishProblems(shortSums).some((p) => p.includes('not the 576000 of the whole run')), publishProblems(shortSums).join('; '));
    const missing = { ...passingResult(), translations: NaN, machine: undefined } as unknown as SoakResult;
    assert.ok(publishProblems(missing).includes('translations is not a number'), publishProblems(missing).join('; '));
    assert.ok(publishProblems(missing).includes('the machine or the date is missing'), publishProblems(missing).join('; '));
  });

  it('every published figure comes from the result: a changed figure changes the rendered blocks', () => {
    const r = passingResult();
    const blocks = renderSoakBlocks(r);
    assert.match(blocks['soak-figures'], /\| audio frames sent \| 576,000 \|/);
    assert.match(blocks['soak-figures'], /\| RSS growth after GC, hour 1 → hour 8 \| −0\.5 MB/);
    assert.match(blocks['soak-figures'], /Test CPU, 2 cores.*load average 0\.5 at start, 0\.7 at end/);
    assert.match(blocks['soak-readme'], /576,000 audio frames handed over, 576,000 sent, 0 dropped; RSS −0\.5 MB from hour 1 to hour 8\./);
    const fields: Array<(x: SoakResult) => void> = [
      (x) => { x.framesAppended += 1; }, (x) => { x.framesSent += 1; }, (x) => { x.framesDropped += 1; }, (x) => { x.translations += 1; },
      (x) => { x.rotations += 1; }, (x) => { x.connections += 1; }, (x) => { x.growthFromHour1.rssMB += 1; },
      (x) => { x.growthFromHour1.heapMB += 1; }, (x) => { x.growthFromHour1.externalMB += 1; }, (x) => { x.wallSeconds += 1; },
      (x) => { x.speedup += 1; }, (x) => { x.machine.loadAverage += 1; }, (x) => { x.loadAverageAtEnd += 1; }, (x) => { x.machine.cores += 1; },
    ];
    for (const change of fields) {
      const x = passingResult();
      change(x);
      assert.notEqual(renderSoakBlocks(x)['soak-figures'], blocks['soak-figures'], String(change));
    }
  });

  it('the prose check finds typed soak figures and passes settings', () => {
    const typed = 'The soak (`npm run soak`): 576,000 audio frames handed over, 0 dropped; 23,013 translations, 12 renewals, 18 connections; RSS −0.4 MB; 550 s (52× real time).';
    assert.deepEqual(typed.match(SOAK_FIGURE), ['576,000 audio frames', '0 dropped', '23,013 translations', '12 renewals', '18 connections', '0.4 MB', '550 s', '52×']);
    const settings = 'The soak: 8 simulated hours on each of 2 sessions, renewal every 110 simulated minutes, an options update every 1.5 h, after 2 forced GCs.';
    assert.equal(settings.match(SOAK_FIGURE), null);
    const doc = ['Intro without the word.', '', '| a | b |', '|---|---|', '| `npm run soak` | 3 connections |', '| other | 5 s |', '',
      '<!-- soak:begin x -->', 'soak 9 frames', '<!-- soak:end x -->', '', '- the soak item', '  on two lines 4 %', '- other 7 %'].join('\n');
    assert.deepEqual(soakProse(doc), ['| `npm run soak` | 3 connections |', '- the soak item\n  on two lines 4 %']);
    assert.equal(applyBlocks(doc, { x: 'soak 9 frames' }, ['x'], SOAK_TAG), doc);
  });

  it('writing the docs refuses a failed run and writes nothing', () => {
    const before = snapshot();
    assert.throws(() => writeSoakDocs({ ...passingResult(), failures: ['session 0: 1 audio frames failed to write'] }), /not published:[\s\S]*the soak failed/);
    assert.throws(() => writeSoakDocs({ ...passingResult(), simulatedHoursPerSession: 2 }), /not published:[\s\S]*SOAK_HOURS/);
    assert.deepEqual(snapshot(), before);
  });

  it('`npm run soak -- --write-docs` with other settings says why and exits non-zero before it runs', function () {
    this.timeout(60000);
    const before = snapshot();
    const env = { ...process.env, SOAK_HOURS: '1', SOAK_TEXT_ONLY: '1', SOAK_RESULT: join(ROOT, 'no-such-dir', 'soak.json') };
    const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(ROOT, 'scripts/soak.ts'), '--write-docs'], { cwd: ROOT, env, encoding: 'utf8', timeout: 50000 });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /SOAK_HOURS gives hours 1, not the default 8/);
    assert.match(run.stderr, /SOAK_TEXT_ONLY gives textOnly true/);
    assert.equal(run.stdout, '', 'nothing ran');
    assert.equal(existsSync(join(ROOT, 'no-such-dir')), false);
    assert.deepEqual(snapshot(), before);
  });
});

describe('soak figures: what is published', () => {
  const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
  const committed = JSON.parse(readFileSync(SOAK_DOCS_FILE, 'utf8')) as SoakResult;

  it('docs/soak.json is a complete, passing soak with the default settings', () => {
    assert.deepEqual(publishProblems(committed), []);
    assert.ok(committed.translations > 0 && committed.connections >= committed.sessions, 'translations and connections were counted');
  });

  for (const doc of SOAK_PUBLISHED) {
    it(`${doc.file}: the soak's blocks are what docs/soak.json renders to, and a figure changed by hand is found`, () => {
      const text = read(doc.file);
      const blocks = renderSoakBlocks(committed);
      assert.equal(applyBlocks(text, blocks, doc.blocks, SOAK_TAG), text, `${doc.file} is stale: run npm run soak -- --write-docs`);
      const sent = committed.framesSent.toLocaleString('en-US');
      const begin = text.indexOf(`<!-- soak:begin ${doc.blocks[0]} -->`);
      const at = text.indexOf(sent, begin);
      assert.ok(begin >= 0 && at > begin, `the block gives the frames sent, ${sent}`);
      const edited = `${text.slice(0, at)}${(committed.framesSent + 1).toLocaleString('en-US')}${text.slice(at + sent.length)}`;
      assert.notEqual(applyBlocks(edited, blocks, doc.blocks, SOAK_TAG), edited);
    });
  }

  it('the prose about the soak, outside the blocks, states no figure of its own', () => {
    const files = ['docs/reliability.md', 'README.md', 'CONTRIBUTING.md'];
    const prose = files.map((file) => [file, soakProse(read(file))] as const);
    for (const [file, units] of prose) {
      const found = units.flatMap((u) => u.match(SOAK_FIGURE) || []);
      assert.deepEqual(found, [], `${file} states soak figures outside the generated blocks`);
    }
    // The check reads what it should: the soak's two table rows, its section and its bug in docs/reliability.md.
    assert.ok(prose[0][1].length >= 4, prose[0][1].join('\n---\n'));
    assert.ok(prose[2][1].length >= 2, prose[2][1].join('\n---\n'));
  });
});
