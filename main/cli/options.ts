import { shellWord } from '../pki/posix-shell.js';
import { Option, type Command } from 'commander';
import * as z from 'zod';
import { EndpointChoiceSchema, resolveEndpoints, type Endpoints } from '../anaplan/endpoints.js';
import { AppError } from '../errors.js';
import { checkProxyUrl, type HttpSettings } from '../net/http.js';
import { readGivenSecret } from './secret-input.js';

/** Option groups shared by several commands, each parsed with zod before use. */

export function addEndpointOptions(command: Command): Command {
  return command
    .option('--region <id>', 'Anaplan region (see `anaplan-setup regions`); default us1')
    .option('--auth-url <url>', 'custom auth (token service) URL, e.g. https://auth.anaplan.com')
    .option('--api-url <url>', 'custom integration API URL, e.g. https://api.anaplan.com')
    .option('--oauth-url <url>', 'custom OAuth 2.0 host, e.g. https://us1a.app.anaplan.com')
    .option('--device-authorization-url <url>', 'custom OAuth device authorization endpoint')
    .option('--token-url <url>', 'custom OAuth token endpoint');
}

export function addNetworkOptions(command: Command): Command {
  return command
    .option('--proxy <url>', 'HTTP proxy, e.g. http://proxy.example.com:8080 or http://user@proxy.example.com:8080 (default: HTTPS_PROXY from the environment)')
    .option('--proxy-password-file <path>', 'read the proxy user\'s password from this file')
    .option('--proxy-password-env <var>', 'read the proxy user\'s password from this environment variable')
    .option('--ca-file <pem>', 'extra CA certificates (PEM) to trust, e.g. for a TLS-inspecting proxy')
    .option('--timeout <seconds>', 'per-request timeout in seconds', '30');
}

export function addJsonOption(command: Command): Command {
  return command.addOption(new Option('--json', 'print one JSON object on stdout (errors as {"error":{"code","message"}})'));
}

/** The endpoint flags as given, to repeat in a "next, run …" hint so that it can be pasted as it is. */
export function endpointFlagsOf(options: Record<string, unknown>): string {
  const flags: Array<[string, unknown]> = [
    ['--region', options.region],
    ['--auth-url', options.authUrl],
    ['--api-url', options.apiUrl],
    ['--oauth-url', options.oauthUrl],
    ['--device-authorization-url', options.deviceAuthorizationUrl],
    ['--token-url', options.tokenUrl],
  ];
  return flags
    .filter((flag): flag is [string, string] => typeof flag[1] === 'string' && flag[1] !== '')
    .map(([flag, value]) => ` ${flag} ${shellWord(value)}`)
    .join('');
}

export function endpointsFrom(options: Record<string, unknown>): Endpoints {
  const choice = EndpointChoiceSchema.parse({
    region: options.region,
    authUrl: options.authUrl,
    apiUrl: options.apiUrl,
    oauthUrl: options.oauthUrl,
    deviceAuthorizationUrl: options.deviceAuthorizationUrl,
    tokenUrl: options.tokenUrl,
  });
  return resolveEndpoints(choice);
}

const NetworkFlags = z.object({
  proxy: z.string().optional(),
  proxyPasswordFile: z.string().optional(),
  proxyPasswordEnv: z.string().optional(),
  caFile: z.string().optional(),
  timeout: z.coerce.number().int().min(1).max(600).default(30),
});

export function httpSettingsFrom(options: Record<string, unknown>): HttpSettings {
  const parsed = NetworkFlags.safeParse(options);
  if (!parsed.success) throw new AppError('bad_input', '--timeout must be a whole number of seconds between 1 and 600.');
  return {
    proxyUrl: parsed.data.proxy ? proxyWithPassword(parsed.data.proxy, parsed.data) : undefined,
    caFile: parsed.data.caFile,
    timeoutMs: parsed.data.timeout * 1000,
  };
}

/** The proxy password joins the proxy URL here, never through the flag value (anyone can read flags in `ps`). */
function proxyWithPassword(value: string, flags: { proxyPasswordFile?: string | undefined; proxyPasswordEnv?: string | undefined }): string {
  const url = new URL(checkProxyUrl(value));
  if (url.password) {
    throw new AppError('bad_input', 'Do not put the proxy password in --proxy (it would show in the process list): give --proxy http://user@host:port with --proxy-password-file or --proxy-password-env.');
  }
  const password = readGivenSecret('proxy password', 'proxy-password', { file: flags.proxyPasswordFile, env: flags.proxyPasswordEnv });
  if (password !== null) {
    if (!url.username) throw new AppError('bad_input', 'A proxy password was given but --proxy has no user: use --proxy http://user@host:port.');
    url.password = encodeURIComponent(password);
  }
  return url.toString();
}

/** Parses flags with a zod schema and turns the first problem into a person-readable error. */
export function parseFlags<T extends z.ZodType>(schema: T, options: Record<string, unknown>): z.output<T> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const flag = issue?.path[0] ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : 'the options';
  throw new AppError('bad_input', `${flag}: ${issue?.message ?? 'invalid value'}`);
}

export const EmailFlag = z.string({ error: 'is required' }).trim().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address, e.g. name@company.com');
export const HexIdFlag = z.string().trim().regex(/^[0-9A-Fa-f]{32}$/, 'must be 32 hexadecimal characters (copy it from the model URL, or leave it out and pick it in the assistant)');
