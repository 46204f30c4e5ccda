import { spawn, spawnSync } from 'node:child_process';
import type { JobRun } from './harness.js';

/**
 * Real accounts for the journeys a service account lives through (root only): useradd, the
 * password database's home, userdel. Names carry the test's pid so runs never collide.
 */
export const serviceAccount = {
  available: spawnSync('useradd', ['--help']).status === 0 && spawnSync('runuser', ['--help']).status === 0,
  name: (prefix: string) => `${prefix}-${process.pid}`,
  add(name: string): { home: string; uid: number; gid: number } {
    const added = spawnSync('useradd', ['--create-home', '--shell', '/bin/sh', name], { encoding: 'utf8' });
    if (added.status !== 0) throw new Error(`useradd ${name} failed: ${added.stderr}`);
    const fields = spawnSync('getent', ['passwd', name], { encoding: 'utf8' }).stdout.split(':');
    return { home: fields[5] ?? '', uid: Number(fields[2]), gid: Number(fields[3]) };
  },
  remove(name: string): void {
    spawnSync('userdel', ['--remove', name]);
  },
};

/** A command run as cron runs a crontab line: as the account, with cron's short environment and its home. */
export function runAsCron(account: string, command: string, home: string): Promise<JobRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('runuser', ['-u', account, '--', 'env', '-i', 'PATH=/usr/bin:/bin', `HOME=${home}`, `LOGNAME=${account}`, 'SHELL=/bin/sh', '/bin/sh', '-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, output: `${stdout}\n${stderr}` }));
  });
}
