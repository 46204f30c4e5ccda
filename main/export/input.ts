import { z } from 'zod';
import { checkServiceUrl } from '../anaplan/endpoints.js';
import { AppError, isAppError } from '../core/errors.js';

/**
 * What the Anaplan Connect export needs to know. One member per auth method, told apart by
 * `method` (certificate and OAuth come later as more members of the union).
 */
export type AnaplanConnectExportInput = BasicExportInput;

export type ExportPlatform = 'linux' | 'windows';

export type PasswordSource =
  | { source: 'env'; envVar: string }
  | { source: 'prompt' }
  | { source: 'inline'; value: string };

export interface ExportCommon {
  /** Anaplan Connect `-service`, e.g. https://api.anaplan.com */
  serviceUrl: string;
  /** Anaplan Connect `-auth`, e.g. https://auth.anaplan.com */
  authUrl: string;
  /** 32 hex characters when given. */
  workspaceId?: string;
  modelId?: string;
  platforms: ExportPlatform[];
  profileName?: string;
  regionName?: string;
  /** Written into the scripts' Operation; empty (the default) leaves Operation for the user to fill in. */
  operation?: string[];
  generatedBy: string;
  generatedAt: Date;
}

export interface BasicExportInput extends ExportCommon {
  method: 'basic';
  /** The Anaplan user's email. */
  user: string;
  password: PasswordSource;
}

export const DEFAULT_PASSWORD_ENV_VAR = 'ANAPLAN_PASSWORD';

const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** RFC 5322 dot-atom local part (so `'`, `$`, `+` are allowed) at an ASCII domain; never a `:`. */
const EMAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,}$/;
/** C0 controls except TAB, and DEL: never useful in a setting, dangerous in a script or a terminal. */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f]/;

const noControlCharacters = (what: string) =>
  z.string().refine((value) => !CONTROL_CHARACTER.test(value), {
    message: `${what} must not contain line breaks or other control characters.`,
  });

const serviceUrl = (label: string) =>
  z.string().transform((value, ctx) => {
    try {
      return checkServiceUrl(label, value.trim());
    } catch (error) {
      ctx.issues.push({ code: 'custom', input: value, message: isAppError(error) ? error.message : `${label} is not a valid URL.` });
      return z.NEVER;
    }
  });

const hexId = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^(?:[0-9A-Fa-f]{32})?$/, {
      message: `${what} must be 32 hexadecimal characters (0-9, A-F), as shown in the model's URL or in the assistant's workspace list.`,
    })
    .transform((value) => value || undefined)
    .optional();

const userEmail = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    if (value.includes(':')) {
      // anaplan-facts §5: `-user user:password` is split at the first colon.
      ctx.addIssue({ code: 'custom', message: 'The user must not contain ":" (Anaplan Connect splits -user at the first colon).' });
    } else if (value.length > 254 || !EMAIL.test(value)) {
      ctx.addIssue({ code: 'custom', message: `The user must be the Anaplan user's email address, such as name@example.com.` });
    }
  });

const PasswordSourceSchema = z.discriminatedUnion(
  'source',
  [
    z.object({
      source: z.literal('env'),
      envVar: z
        .string()
        .trim()
        .regex(ENV_VAR_NAME, {
          message: 'The environment variable name must start with a letter or _ and hold only letters, digits and _ (for example ANAPLAN_PASSWORD).',
        })
        .default(DEFAULT_PASSWORD_ENV_VAR),
    }),
    z.object({ source: z.literal('prompt') }),
    z.object({
      source: z.literal('inline'),
      value: noControlCharacters('The password').pipe(z.string().min(1, { message: 'The password is empty.' })),
    }),
  ],
  { error: 'The password source must be "env" (an environment variable), "prompt" or "inline" (written into the script).' },
);

const commonShape = {
  serviceUrl: serviceUrl('The integration API URL (-service)'),
  authUrl: serviceUrl('The auth URL (-auth)'),
  workspaceId: hexId('The workspace ID'),
  modelId: hexId('The model ID'),
  platforms: z
    .array(z.enum(['linux', 'windows'], { error: 'A platform must be "linux" or "windows".' }))
    .min(1, { message: 'Choose at least one platform (linux, windows).' })
    .transform((platforms) => [...new Set(platforms)]),
  profileName: noControlCharacters('The profile name').pipe(z.string().max(200)).optional(),
  regionName: noControlCharacters('The region name').pipe(z.string().max(200)).optional(),
  operation: z.array(noControlCharacters('Each Operation word')).default([]),
  generatedBy: noControlCharacters('generatedBy').pipe(z.string().min(1)),
  generatedAt: z.date({ error: 'generatedAt must be a valid date.' }),
};

const BasicExportInputSchema = z.object({
  method: z.literal('basic'),
  user: userEmail,
  password: PasswordSourceSchema,
  ...commonShape,
});

export const AnaplanConnectExportInputSchema = z.discriminatedUnion('method', [BasicExportInputSchema], {
  error: 'The auth method must be "basic" (certificate and OAuth exports are not available yet).',
});

/** What callers may pass: like the input, with defaults (envVar, operation) still optional. */
export type AnaplanConnectExportRequest = z.input<typeof AnaplanConnectExportInputSchema>;

// Compile-time proof that the schema produces exactly the documented input type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesInterface: Same<z.output<typeof AnaplanConnectExportInputSchema>, Required<Pick<AnaplanConnectExportInput, 'operation'>> & AnaplanConnectExportInput> = true;
void schemaMatchesInterface;

const FIELD_LABELS: Record<string, string> = {
  method: 'method',
  user: 'user',
  password: 'password',
  'password.source': 'password source',
  'password.envVar': 'password environment variable',
  'password.value': 'password',
  serviceUrl: 'service URL',
  authUrl: 'auth URL',
  workspaceId: 'workspace ID',
  modelId: 'model ID',
  platforms: 'platforms',
  profileName: 'profile name',
  regionName: 'region name',
  operation: 'Operation',
  generatedBy: 'generatedBy',
  generatedAt: 'generatedAt',
};

/** Validates and normalises (trims, strips trailing slashes, fills defaults); throws AppError('bad_input'). */
export function parseAnaplanConnectExportInput(raw: unknown): AnaplanConnectExportInput & { operation: string[] } {
  const result = AnaplanConnectExportInputSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${fieldLabel(issue.path)}: ${issue.message}`);
  throw new AppError(
    'bad_input',
    `The export settings are not valid, so nothing was generated. ${problems.join(' ')} Correct ${problems.length === 1 ? 'this' : 'these'} and try again.`,
    { fields: result.error.issues.map((issue) => issue.path.join('.')) },
  );
}

function fieldLabel(path: readonly PropertyKey[]): string {
  const key = path.filter((part) => typeof part === 'string').join('.');
  const index = path.find((part) => typeof part === 'number');
  const label = FIELD_LABELS[key] ?? (key || 'input');
  return index === undefined ? label : `${label} (item ${index + 1})`;
}
