// A child process for the tests of issue 13 that need real processes: several front doors saving
// settings at once, and a write killed (SIGKILL) at a chosen step. Run it with
//   node --import tsx test/support/writer-child.ts MODE ...
// (spawnWriter below), from the repository root.
//
//   settings DIR PREFIX COUNT   prints "ready", waits for a line on stdin, then saves COUNT
//                               connections PREFIX-0 … through the assistant's saveProfile (the
//                               settings store's read-modify-write), and prints "done".
//   export SPEC STEP NTH        writes the files of SPEC (JSON: { dir, files: [{ name, base64, mode }] })
//                               with writeExportFiles (overwrite), stopping for good the NTH time
//                               writeFilesSafely reaches STEP: prints "paused STEP NTH" and blocks
//                               until killed. Prints "finished" if the step was never reached NTH times.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

/** Starts this script as a child process; `lines` resolves with the next line of its stdout that matches. */
export function spawnWriter(args: string[]): { child: ChildProcessWithoutNullStreams; line: (pattern: RegExp) => Promise<string>; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/writer-child.ts'), ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiting: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.stderr.on('data', (chunk) => (err += chunk));
  child.stdout.on('data', (chunk) => {
    out += chunk;
    for (let newline = out.indexOf('\n'); newline >= 0; newline = out.indexOf('\n')) {
      const text = out.slice(0, newline);
      out = out.slice(newline + 1);
      const index = waiting.findIndex((w) => w.pattern.test(text));
      if (index >= 0) waiting.splice(index, 1)[0]!.resolve(text);
    }
  });
  const line = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      waiting.push({ pattern, resolve });
      void exited.then((code) => reject(new Error(`the child ended (exit ${code}) before printing ${pattern}: ${err}`)));
    });
  return { child, line, exited, stderr: () => err };
}

async function saveSettings(dir: string, prefix: string, count: number): Promise<void> {
  const [{ createAssistant }, { openNodeSettings }, { NO_SECRET_STORE }, { createHttpClient }] = await Promise.all([
    import('../../main/core/assistant.js'),
    import('../../main/store/node-settings.js'),
    import('../../main/store/secrets.js'),
    import('../../main/net/http.js'),
  ]);
  const handlers = createAssistant({
    settings: openNodeSettings(dir),
    secrets: NO_SECRET_STORE,
    host: { frontDoor: 'browser', chooseFolder: null, chooseFile: null, openExternal: async () => false, emit: () => undefined },
    httpClient: (s) => createHttpClient(s),
    version: 'test',
  });
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  for (let i = 0; i < count; i++) await handlers.saveProfile({ name: `${prefix}-${i}`, email: `${prefix}-${i}@example.com` });
  process.stdout.write('done\n');
  process.stdin.destroy();
}

async function writeUntil(specPath: string, step: string, nth: number): Promise<void> {
  const [{ writeStepHooks }, { writeExportFiles }] = await Promise.all([import('../../main/fs/atomic.js'), import('../../main/core/export-job.js')]);
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as { dir: string; files: Array<{ name: string; base64: string; mode: number }> };
  let seen = 0;
  writeStepHooks.reached = (reached) => {
    if (reached !== step || ++seen !== nth) return;
    process.stdout.write(`paused ${step} ${nth}\n`); // stdout to a pipe is synchronous on Linux
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // until SIGKILL
  };
  const files = spec.files.map(({ name, base64, mode }) => ({ name, content: Buffer.from(base64, 'base64'), mode }));
  await writeExportFiles(spec.dir, files, null, true);
  process.stdout.write('finished\n');
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [mode, ...args] = process.argv.slice(2);
  const work = mode === 'settings' ? saveSettings(args[0]!, args[1]!, Number(args[2])) : mode === 'export' ? writeUntil(args[0]!, args[1]!, Number(args[2])) : Promise.reject(new Error(`unknown mode ${mode}`));
  work.catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
