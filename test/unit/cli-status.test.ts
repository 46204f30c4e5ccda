import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { useTempDir } from '../support/fixtures.js';
import { DAY, certificateRecord } from '../support/profiles.js';

const home = useTempDir('status-home-');
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

function certificateProfile(name: string, notAfter: string) {
  const stamp = new Date().toISOString();
  return {
    id: name.toLowerCase(),
    name,
    email: 'ada@example.com',
    createdAt: stamp,
    updatedAt: stamp,
    authMethod: 'certificate',
    certificate: certificateRecord(notAfter, stamp),
  };
}

async function withSettings(profiles: unknown[]): Promise<Record<string, string>> {
  const dir = join(home(), 'settings');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'settings.json'), JSON.stringify({ schemaVersion: 2, profiles }));
  return { ANAPLAN_SETUP_HOME: dir };
}

interface StatusAnswer {
  expiries: Array<Record<string, unknown>>;
  warnings: number;
}

describe('anaplan-setup status', () => {
  test('a certificate expiring in 10 days: exit 3, and the message says what to do', async () => {
    const env = await withSettings([certificateProfile('Prod', inDays(10))]);
    const human = await runCli(['status'], { env });
    expect(human.code).toBe(3);
    expect(human.stdout).toContain('Prod');
    expect(human.stdout).toMatch(/certificate\s+\d{4}-\d{2}-\d{2}\s+in 10 d\s+WARN \(14-day step\)/);
    expect(human.stdout).toContain('anaplan-setup keygen --email ada@example.com --name "Ada Lovelace" --profile Prod');
    expect(human.stdout).toMatch(/1 entry needs attention/);

    const json = await runCli(['status', '--json'], { env });
    expect(json.code).toBe(3);
    expect(json.stderr).toBe('');
    const answer = json.json<StatusAnswer>();
    expect(answer.warnings).toBe(1);
    expect(answer.expiries).toHaveLength(1);
    expect(answer.expiries[0]).toEqual({
      profileId: 'prod',
      profileName: 'Prod',
      kind: 'certificate',
      expiresAt: expect.any(String),
      daysLeft: 10,
      level: 'warn',
      threshold: 14,
      message: expect.stringContaining('Renew it'),
    });
  });

  test('all fine: exit 0; --warn-days widens the window', async () => {
    const env = await withSettings([certificateProfile('Prod', inDays(200)), certificateProfile('Test', inDays(45))]);
    const result = await runCli(['status', '--json'], { env });
    expect(result.code).toBe(0);
    const answer = result.json<StatusAnswer>();
    expect(answer.warnings).toBe(0);
    expect(answer.expiries.map((e) => e.profileName)).toEqual(['Test', 'Prod']);
    const human = await runCli(['status'], { env });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Nothing expires within 30 days/);
    expect((await runCli(['status', '--json', '--warn-days', '60'], { env })).code).toBe(3);
  });

  test('an expired certificate and a Basic password estimate with --password-max-age-days', async () => {
    const stamp = new Date().toISOString();
    const basic = { id: 'b', name: 'Basic', email: 'x@example.com', createdAt: stamp, updatedAt: stamp, authMethod: 'basic', basicPasswordCheckedAt: inDays(-85) };
    const env = await withSettings([certificateProfile('Old', inDays(-2)), basic]);
    const result = await runCli(['status', '--json'], { env });
    expect(result.code).toBe(3);
    const answer = result.json<StatusAnswer>();
    expect(answer.expiries.map((e) => [e.profileName, e.kind, e.level])).toEqual([
      ['Old', 'certificate', 'expired'],
      ['Basic', 'password', 'warn'],
    ]);
    expect(answer.expiries[1]?.message).toMatch(/estimate/);
    const relaxed = await runCli(['status', '--json', '--password-max-age-days', '365'], { env });
    expect(relaxed.json<StatusAnswer>().expiries[1]).toMatchObject({ kind: 'password', level: 'ok' });
  });

  test('no profiles: a clear message and exit 0', async () => {
    const env = await withSettings([]);
    const human = await runCli(['status'], { env });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/No connections are set up yet/);
    const json = await runCli(['status', '--json'], { env: { ANAPLAN_SETUP_HOME: join(home(), 'empty') } });
    expect(json.code).toBe(0);
    expect(json.json()).toEqual({ expiries: [], warnings: 0 });
  });

  test('bad flags exit 2 with a JSON error; --help documents exit code 3', async () => {
    const env = await withSettings([]);
    const bad = await runCli(['status', '--json', '--warn-days', 'soon'], { env });
    expect(bad.code).toBe(2);
    expect(bad.json()).toEqual({ error: { code: 'bad_input', message: expect.stringContaining('--warn-days') } });
    const help = await runCli(['status', '--help'], { env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('3  something expires within the warning window or has expired');
  });
});
