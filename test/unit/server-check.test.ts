import { execFileSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkServerSetup } from '../../main/core/server-check.js';
import { useTempDir } from '../support/fixtures.js';

const dir = useTempDir('server-check-');
const realJavaHome = (() => {
  try {
    return dirname(dirname(execFileSync('readlink', ['-f', execFileSync('which', ['java'], { encoding: 'utf8' }).trim()], { encoding: 'utf8' }).trim()));
  } catch {
    return null;
  }
})();

async function anaplanConnect(options: { executable: boolean; jar: boolean }): Promise<string> {
  const folder = join(dir(), 'anaplan-connect');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'AnaplanClient.sh'), '#!/bin/sh\n');
  await chmod(join(folder, 'AnaplanClient.sh'), options.executable ? 0o755 : 0o644);
  if (options.jar) await writeFile(join(folder, 'anaplan-connect-4.1.0-jar-with-dependencies.jar'), '');
  return folder;
}

describe('checking the integration server the assistant runs on', () => {
  test('a complete Anaplan Connect folder and a real JAVA_HOME are reported OK with the versions', async () => {
    const folder = await anaplanConnect({ executable: true, jar: true });
    const findings = checkServerSetup({ anaplanConnectDir: folder, javaHome: realJavaHome ?? '' }, 'linux');
    expect(findings.filter((f) => f.level !== 'ok')).toEqual([]);
    expect(findings.map((f) => f.message).join(' ')).toMatch(/anaplan-connect-4\.1\.0.*Java: .*(openjdk|java) version/is);
  });

  test('what is missing is named with the fix', async () => {
    const folder = await anaplanConnect({ executable: false, jar: false });
    const findings = checkServerSetup({ anaplanConnectDir: folder, javaHome: join(dir(), 'no-java') }, 'linux');
    expect(findings).toEqual(
      expect.arrayContaining([
        { level: 'block', message: expect.stringMatching(/not executable. Run: chmod \+x/) },
        { level: 'warn', message: expect.stringMatching(/No anaplan-connect-\*\.jar/) },
        { level: 'block', message: expect.stringMatching(/JAVA_HOME must be the folder that holds bin\/java/) },
      ]),
    );
    expect(checkServerSetup({ anaplanConnectDir: join(dir(), 'nowhere'), javaHome: '' }, 'linux')[0]).toMatchObject({ level: 'block', message: expect.stringMatching(/is not a folder/) });
  });
});
