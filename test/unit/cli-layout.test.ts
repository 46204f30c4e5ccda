import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { rendererDir } from '../../main/cli/commands/ui.js';
import { runCli } from '../support/cli.js';

test('`ui` finds the renderer build next to the CLI build, from the entry or from a chunk folder', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'layout-')), 'out');
  mkdirSync(join(out, 'cli', 'chunks'), { recursive: true });
  mkdirSync(join(out, 'renderer'));
  expect(() => rendererDir(join(out, 'cli', 'chunks', 'ui-1234.js'))).toThrow(/npm run build/);
  writeFileSync(join(out, 'renderer', 'index.html'), '<!doctype html>');
  expect(rendererDir(join(out, 'cli', 'chunks', 'ui-1234.js'))).toBe(join(out, 'renderer'));
  expect(rendererDir(join(out, 'cli', 'index.js'))).toBe(join(out, 'renderer'));
});

test('each command is defined only when it runs, yet help still lists them all and typos get a suggestion', async () => {
  const help = await runCli(['--help']);
  for (const name of ['regions', 'login', 'keygen', 'import-cert', 'oauth', 'export', 'status', 'ui']) expect(help.stdout).toContain(name);
  const typo = await runCli(['keygn']);
  expect(typo.code).not.toBe(0);
  expect(typo.stderr).toMatch(/keygen/);
  const version = await runCli(['--version']);
  expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  const keygenHelp = await runCli(['keygen', '--help']);
  expect(keygenHelp.stdout).toContain('--passphrase-env');
});
