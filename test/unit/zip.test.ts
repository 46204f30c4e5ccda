import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { buildZip } from '../../main/fs/zip.js';

test('Info-ZIP unzip reads the bundle: names, contents and Unix modes survive', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'zip-'));
  const script = '#!/bin/bash\necho "hello"\n'.repeat(50);
  const zip = buildZip(
    [
      { name: 'anaplan-connect.sh', content: script, mode: 0o755 },
      { name: 'README.md', content: '# Job\n\nnon-ASCII: Ünïcødé €\n', mode: 0o644 },
      { name: 'keystore-access.txt', content: new Uint8Array([1, 2, 3, 250]), mode: 0o600 },
    ],
    new Date(2026, 10, 24, 21, 30, 10),
  );
  await writeFile(join(dir, 'job.zip'), zip);
  execFileSync('unzip', ['-t', join(dir, 'job.zip')], { stdio: 'pipe' });
  execFileSync('unzip', ['-q', join(dir, 'job.zip'), '-d', join(dir, 'out')]);
  expect(await readFile(join(dir, 'out', 'anaplan-connect.sh'), 'utf8')).toBe(script);
  expect(await readFile(join(dir, 'out', 'README.md'), 'utf8')).toContain('Ünïcødé €');
  expect([...(await readFile(join(dir, 'out', 'keystore-access.txt')))]).toEqual([1, 2, 3, 250]);
  expect((await stat(join(dir, 'out', 'anaplan-connect.sh'))).mode & 0o777).toBe(0o755);
  expect((await stat(join(dir, 'out', 'keystore-access.txt'))).mode & 0o777).toBe(0o600);
  expect(execFileSync('zipinfo', ['-T', join(dir, 'job.zip')], { encoding: 'utf8' })).toMatch(/20261124\.2130/);
});
