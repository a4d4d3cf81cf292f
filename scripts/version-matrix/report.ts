/** The version matrix's table, printed after a run and kept in README between markers. */
import { readFileSync, writeFileSync } from 'node:fs';

export interface Row { nodeRed: string; node: string; suite: 'full' | 'slice'; passed: number; failed: number; pending: number }

const START = '<!-- versions:start -->';
const END = '<!-- versions:end -->';

export function renderTable(rows: Row[]): string {
  const lines = [
    '| Node-RED | Node.js | tests | result |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.nodeRed} | ${r.node.replace(/^v/, '')} | ${r.suite === 'full' ? 'whole suite' : 'end-to-end slice'} | ${r.passed} passed, ${r.failed} failed |`),
  ];
  return lines.join('\n');
}

/** Replaces what stands between the markers with the table and the command that made it. */
export function updateReadme(path: string, table: string): void {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${path} has no ${START} … ${END} block`);
  const block = `${START}\n${table}\n\nWritten by \`npm test -- --readme\` on ${new Date().toISOString().slice(0, 10)} (${process.platform} ${process.arch}).\n`;
  writeFileSync(path, text.slice(0, start) + block + text.slice(end));
}
