// `npm run bench`: speed figures measured on this machine, in one run, each against a baseline
// measured in the same run. Each suite in scripts/bench/ (TypeScript, loaded through tsx)
// returns a table. `npm run bench -- cli-start renderer` runs only the suites named.
import { spawnSync } from 'node:child_process';
import { arch, cpus, release, totalmem, type } from 'node:os';
import { register } from 'tsx/esm/api';

const SUITES = ['pki', 'certificate-path', 'cli-start', 'renderer'];
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !SUITES.includes(name));
if (unknown.length) {
  process.stderr.write(`No benchmark suite named ${unknown.join(', ')}: choose from ${SUITES.join(', ')}.\n`);
  process.exit(2);
}

function machine() {
  const processors = cpus();
  const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return [
    `date:    ${new Date().toISOString()}`,
    `os:      ${type()} ${release()} (${arch()})`,
    `cpu:     ${processors[0]?.model ?? 'unknown'} × ${processors.length}`,
    `node:    ${process.version} (its OpenSSL ${process.versions.openssl})`,
    `openssl: ${openssl.status === 0 ? openssl.stdout.trim() : 'not found'}`,
    `java:    ${firstLine('java', ['-version'])}`,
    `browser: ${firstLine(process.env.CHROMIUM_PATH ?? 'chromium', ['--version'])}`,
    `memory:  ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
  ];
}

function firstLine(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return result.status === 0 ? `${result.stdout}${result.stderr}`.trim().split('\n')[0] : 'not found';
}

function formatTable({ title, columns, rows, notes = [] }) {
  const cells = [columns, ...rows.map((row) => row.map(String))];
  const widths = columns.map((_, index) => Math.max(...cells.map((row) => (row[index] ?? '').length)));
  const line = (row) => row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]) : cell.padStart(widths[index]))).join('  ');
  return [title, line(columns), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map((row) => line(row.map(String))), ...notes].join('\n');
}

// The CLI and renderer suites measure the build, so build first (as `npm test` does).
const build = spawnSync(process.execPath, [new URL('./build.mjs', import.meta.url).pathname], { stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) process.exit(build.status ?? 1);

register();
process.stdout.write(`${machine().join('\n')}\n`);
for (const suite of chosen.length ? chosen : SUITES) {
  const { run } = await import(new URL(`./bench/${suite}.ts`, import.meta.url).href);
  process.stdout.write(`\n${formatTable(await run((message) => process.stderr.write(`  ${message}\n`)))}\n`);
}
