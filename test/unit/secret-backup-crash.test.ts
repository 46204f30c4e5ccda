// Issue 13, finding 9: a script holding a password in plain text, replaced by a new export, was
// first kept as a .bak and removed once the new files were in place. A process killed in
// between (SIGKILL, power loss) left that copy of the password on disk for good. Now no backup of
// such a file is ever made: it is replaced by a rename over it, and the multi-file write stays
// all or nothing without one. The test kills a real writer at every step of the write.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { writeExportFiles } from '../../main/core/export-job.js';
import { buildAnaplanConnectFiles, type AnaplanConnectExportRequest } from '../../main/export/index.js';
import { writeFilesSafely } from '../../main/fs/atomic.js';
import { useTempDir } from '../support/fixtures.js';
import { spawnWriter } from '../support/writer-child.js';

const work = useTempDir('secret-backup-crash-');

const OLD_SECRET = 'Old-Inline-Secret-4c1e';
const NEW_SECRET = 'New-Inline-Secret-9d07';

function exportFiles(password: string) {
  const request: AnaplanConnectExportRequest = {
    serviceUrl: 'https://api.anaplan.com',
    authUrl: 'https://auth.anaplan.com',
    platforms: ['linux', 'windows'],
    generatedBy: 'test',
    generatedAt: new Date('2026-01-02T00:00:00Z'),
    method: 'basic',
    user: 'integration.user@example.com',
    password: { source: 'inline', value: password },
  };
  return buildAnaplanConnectFiles(request).map((file) => ({ name: file.name, content: Buffer.from(file.content, 'utf8'), mode: file.mode }));
}

/** The names in the folder whose bytes contain the text. */
async function holding(folder: string, text: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of (await readdir(folder)).sort()) if ((await readFile(join(folder, name))).includes(text)) found.push(name);
  return found;
}

/** An export with the old password in place, and the spec of the new export for the child. */
async function prepare(): Promise<{ dir: string; spec: string; names: string[] }> {
  const dir = join(work(), 'job');
  const old = exportFiles(OLD_SECRET);
  await writeFilesSafely(dir, old, { overwrite: false });
  const fresh = exportFiles(NEW_SECRET);
  const spec = join(work(), 'spec.json');
  await writeFile(spec, JSON.stringify({ dir, files: fresh.map((f) => ({ name: f.name, base64: f.content.toString('base64'), mode: f.mode })) }));
  return { dir, spec, names: old.map((f) => f.name).sort() };
}

/** Kills a real writer the NTH time it reaches STEP; false when it finished before getting there. */
async function killAt(spec: string, step: string, nth: number): Promise<boolean> {
  const writer = spawnWriter(['export', spec, step, String(nth)]);
  const reached = await Promise.race([writer.line(new RegExp(`^paused ${step} ${nth}$`)).then(() => true), writer.line(/^finished$/).then(() => false)]);
  writer.child.kill('SIGKILL');
  await writer.exited;
  return reached;
}

describe('a writer killed at any step of replacing scripts that hold a password', () => {
  const points: Array<[string, number]> = [
    ['staged', 1],
    ['backed-up', 1],
    ['renamed', 1],
    ['renamed', 2],
    ['before-mode', 1], // README.md: the same text, only its mode is set
    ['committed', 1],
  ];

  test.each(points)('killed at %s (#%i): the old password is only in the files themselves, never in a backup or temp file', async (step, nth) => {
    const { dir, spec, names } = await prepare();
    expect(await holding(dir, OLD_SECRET)).toEqual(['anaplan-connect.bat', 'anaplan-connect.sh']);
    expect(await killAt(spec, step, nth)).toBe(true);
    const old = await holding(dir, OLD_SECRET);
    expect(old.filter((name) => !names.includes(name)), `files left holding the old password: ${old.join(', ')}`).toEqual([]);
    // The new password is in the files, or in the temp files they are written to before the renames.
    const fresh = await holding(dir, NEW_SECRET);
    expect(fresh.filter((name) => !names.includes(name) && !/^\.anaplan-connect\.(sh|bat)\.[0-9a-f]{12}\.tmp$/.test(name))).toEqual([]);
    expect((await readdir(dir)).filter((name) => name.startsWith('anaplan-connect') && name.endsWith('.bak'))).toEqual([]);
  });

  test('run to the end, the same write leaves the old password nowhere and reports the withheld backups', async () => {
    const { dir, spec, names } = await prepare();
    const files = (JSON.parse(await readFile(spec, 'utf8')) as { files: Array<{ name: string; base64: string; mode: number }> }).files;
    const result = await writeExportFiles(dir, files.map((f) => ({ name: f.name, content: Buffer.from(f.base64, 'base64'), mode: f.mode })), null, true);
    expect(result.warnings).toEqual(
      expect.arrayContaining([
        'The previous anaplan-connect.sh held the password in plain text; it was replaced and not kept as a backup.',
        'The previous anaplan-connect.bat held the password in plain text; it was replaced and not kept as a backup.',
      ]),
    );
    expect(await holding(dir, OLD_SECRET)).toEqual([]);
    expect((await holding(dir, NEW_SECRET)).filter((name) => !names.includes(name))).toEqual([]);
  });
});
