import { SEED, SEED_OAUTH_CLIENTS, startEmulator } from './server.js';

/** `npm run emulator [-- --port N] [--page-size N]`: a local Anaplan for trying the assistant (and Anaplan Connect) by hand. */

const DEFAULT_PORT = 8700;
const USAGE = 'Usage: npm run emulator -- [--port N] [--page-size N]';

interface CliOptions {
  port: number;
  /** Items per page of a list when a request gives no limit (small values make clients page). */
  pageSize: number | undefined;
}

function parseArgs(args: string[]): CliOptions {
  const values = new Map<string, string | undefined>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const name = ['--port', '--page-size'].find((flag) => arg === flag || arg.startsWith(`${flag}=`));
    if (!name) throw new Error(`Unknown argument "${arg}". ${USAGE}`);
    values.set(name, arg === name ? args[++i] : arg.slice(name.length + 1));
  }
  const port = wholeNumber(values, '--port', 0, 65_535) ?? DEFAULT_PORT;
  return { port, pageSize: wholeNumber(values, '--page-size', 1, 1_000_000) };
}

function wholeNumber(values: Map<string, string | undefined>, flag: string, min: number, max: number): number | undefined {
  if (!values.has(flag)) return undefined;
  const value = values.get(flag);
  const number = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(number) || number < min || number > max) throw new Error(`${flag} needs a number from ${min} to ${max}, got "${value ?? ''}"`);
  return number;
}

async function main(): Promise<void> {
  const { port, pageSize } = parseArgs(process.argv.slice(2));
  const emulator = await startEmulator({ port, pageSize });
  const { integration, sso, expired } = SEED.users;
  console.log(`Anaplan emulator listening on ${emulator.url}`);
  console.log(`Use this URL as --auth-url, --api-url and --oauth-url (e.g. --auth-url ${emulator.url} --api-url ${emulator.url} --oauth-url ${emulator.url}).`);
  console.log('');
  console.log(`Integration user: ${integration.email}  password: ${integration.password}`);
  console.log(`SSO user, Basic login refused: ${sso.email}  password: ${sso.password}`);
  console.log(`Exception user whose password expired: ${expired.email}  password: ${expired.password}`);
  console.log('');
  console.log(`OAuth device grant clients: ${SEED_OAUTH_CLIENTS.deviceGrant.clientId} (non-rotatable), ${SEED_OAUTH_CLIENTS.rotatable.clientId} (rotatable).`);
  console.log(`Approve a device code at ${emulator.url}/activate with the integration user's email and password.`);
  console.log('');
  console.log(`Anaplan Connect: -service ${emulator.url} -auth ${emulator.url}. Tasks: GET ${emulator.url}/__emulator/tasks;`);
  console.log(`make the next one fail: POST ${emulator.url}/__emulator/tasks/fail {"kind":"imports","objectId":"112000000002"}.`);
  console.log('');
  console.log('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = (): void => {
    if (stopping) return; // Ctrl-C reaches us both from the terminal and from scripts/emulator.mjs
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`Emulator failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
