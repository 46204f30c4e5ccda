// `npm run bench`: speed figures measured on this machine, in one run. Each suite in
// scripts/bench/ (TypeScript, loaded through tsx) returns a table; later suites add more.
import { spawnSync } from 'node:child_process';
import { cpus, arch, release, type } from 'node:os';
import { register } from 'tsx/esm/api';

const SUITES = ['./bench/pki.ts'];

function machine() {
  const processors = cpus();
  const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return [
    `date:    ${new Date().toISOString()}`,
    `os:      ${type()} ${release()} (${arch()})`,
    `cpu:     ${processors[0]?.model ?? 'unknown'} × ${processors.length}`,
    `node:    ${process.version} (its OpenSSL ${process.versions.openssl})`,
    `openssl: ${openssl.status === 0 ? openssl.stdout.trim() : 'not found'}`,
  ];
}

function formatTable({ title, columns, rows, notes = [] }) {
  const cells = [columns, ...rows.map((row) => row.map(String))];
  const widths = columns.map((_, index) => Math.max(...cells.map((row) => (row[index] ?? '').length)));
  const line = (row) => row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]) : cell.padStart(widths[index]))).join('  ');
  return [title, line(columns), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map((row) => line(row.map(String))), ...notes].join('\n');
}

register();
process.stdout.write(`${machine().join('\n')}\n`);
for (const suite of SUITES) {
  const { run } = await import(new URL(suite, import.meta.url).href);
  process.stdout.write(`\n${formatTable(await run((message) => process.stderr.write(`  ${message}\n`)))}\n`);
}
