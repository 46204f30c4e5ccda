import { SEED, SEED_OAUTH_CLIENTS, startEmulator } from './server.js';

/** `npm run emulator [-- --port N]`: a local Anaplan for trying the assistant by hand. */

const DEFAULT_PORT = 8700;

function parsePort(args: string[]): number {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--port') value = args[++i];
    else if (arg.startsWith('--port=')) value = arg.slice('--port='.length);
    else throw new Error(`Unknown argument "${arg}". Usage: npm run emulator -- [--port N]`);
  }
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port needs a number from 0 to 65535, got "${value}"`);
  return port;
}

async function main(): Promise<void> {
  const emulator = await startEmulator({ port: parsePort(process.argv.slice(2)) });
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
