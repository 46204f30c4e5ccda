import * as z from 'zod';
import { EndpointChoiceSchema } from '../anaplan/endpoints.js';

/**
 * The settings file, shared by the desktop app (electron-store) and the Node front doors
 * (conf): one schema, one migration path. It never holds a secret in plain text.
 */
export const SETTINGS_SCHEMA_VERSION = 2;

export const AUTH_METHODS = ['basic', 'certificate', 'oauth'] as const;
export const AuthMethodSchema = z.enum(AUTH_METHODS);
export type AuthMethod = z.infer<typeof AuthMethodSchema>;

/** Every step of every path; each auth method walks its own subset (see renderer/src/types.ts). */
export const WIZARD_STEPS = ['account', 'method', 'credentials', 'import', 'login', 'target', 'export', 'done'] as const;
export const WizardStepSchema = z.enum(WIZARD_STEPS);
export type WizardStep = z.infer<typeof WizardStepSchema>;

export const PlatformSchema = z.enum(['linux', 'windows']);
export type Platform = z.infer<typeof PlatformSchema>;

export const PasswordSourceSchema = z.enum(['env', 'prompt', 'inline']);

export const NetworkSettingsSchema = z.object({
  proxyUrl: z.string().optional(),
  caFile: z.string().optional(),
});
export type NetworkSettings = z.infer<typeof NetworkSettingsSchema>;

/**
 * A key pair and CSR waiting for the CA's certificate: days or weeks can pass, and several can
 * exist side by side. The private key stays in its file; only its path is kept here.
 */
export const CertificateRequestSchema = z.object({
  id: z.string().min(1),
  createdAt: z.string(),
  caProfileId: z.enum(['sectigo', 'digicert', 'globalsign', 'quovadis', 'other']),
  privateKeyPath: z.string(),
  csrPath: z.string(),
  csrPem: z.string(),
  subject: z.string(),
  email: z.string(),
  bits: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]),
  fingerprint: z.string(),
  keyEncrypted: z.boolean(),
  hash: z.enum(['sha256', 'sha512']),
  status: z.enum(['pending', 'issued']).default('pending'),
  /** The openssl commands that would produce the same request by hand. */
  equivalentCommands: z.array(z.string()).default([]),
  /** The subject as entered, so that a renewal asks for the same one. */
  subjectFields: z.record(z.string(), z.string()).default({}),
});
export type CertificateRequest = z.infer<typeof CertificateRequestSchema>;

/** The imported certificate: paths and facts only; the keystore password lives in the keychain or nowhere. */
export const ImportedCertificateSchema = z.object({
  importedAt: z.string(),
  alias: z.string(),
  certificatePath: z.string(),
  chainPath: z.string().nullable(),
  keystorePath: z.string(),
  /** The key the certificate belongs to, for Anaplan Connect's -certificate/-privatekey form. */
  privateKeyPath: z.string().nullable(),
  keyEncrypted: z.boolean(),
  subject: z.string(),
  email: z.string(),
  issuer: z.string(),
  fingerprint: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  requestId: z.string().nullable(),
});
export type ImportedCertificate = z.infer<typeof ImportedCertificateSchema>;

/** The OAuth device grant of a profile: the client and where Anaplan Connect's token store is. Never the token. */
export const OAuthSettingsSchema = z.object({
  clientId: z.string(),
  rotatable: z.boolean().default(false),
  /** RFC 8628 form bodies by default; JSON where a server wants it (Anaplan's Postman collection). */
  encoding: z.enum(['form', 'json']).default('form'),
  tokenStoreDir: z.string(),
  tokenStorePath: z.string().nullable().default(null),
  signedInAt: z.string().nullable().default(null),
  userEmail: z.string().nullable().default(null),
  /** Rotatable clients only: when the stored refresh token likely expires if no job uses it. */
  refreshTokenExpiresAt: z.string().nullable().default(null),
});
export type OAuthSettings = z.infer<typeof OAuthSettingsSchema>;

export const ProfileSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1).max(80),
  email: z.string().default(''),
  createdAt: z.string(),
  updatedAt: z.string(),
  endpoints: EndpointChoiceSchema.default({ region: 'us1' }),
  network: NetworkSettingsSchema.default({}),
  authMethod: AuthMethodSchema.nullable().default(null),
  step: WizardStepSchema.default('account'),
  workspace: z.object({ id: z.string(), name: z.string() }).nullable().default(null),
  model: z.object({ id: z.string(), name: z.string() }).nullable().default(null),
  exportOptions: z
    .object({
      dir: z.string().default(''),
      platforms: z.array(PlatformSchema).default(['linux', 'windows']),
      passwordSource: PasswordSourceSchema.default('env'),
      passwordEnvVar: z.string().default('ANAPLAN_PASSWORD'),
    })
    .default({ dir: '', platforms: ['linux', 'windows'], passwordSource: 'env', passwordEnvVar: 'ANAPLAN_PASSWORD' }),
  /** When the Basic password was last confirmed working here: exception-user passwords expire. */
  basicPasswordCheckedAt: z.string().nullable().default(null),
  lastLogin: z.object({ at: z.string(), email: z.string() }).nullable().default(null),
  certificateRequests: z.array(CertificateRequestSchema).default([]),
  certificate: ImportedCertificateSchema.nullable().default(null),
  oauth: OAuthSettingsSchema.nullable().default(null),
  /**
   * The account that runs the job (cron's svc-anaplan): what the job reads is placed in its home
   * and made its own (main/core/job-placement.ts). Empty: the account running the assistant.
   */
  runAs: z.string().default(''),
});
export type Profile = z.infer<typeof ProfileSchema>;

export const ThemeSchema = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof ThemeSchema>;

export const SettingsSchema = z.object({
  schemaVersion: z.literal(SETTINGS_SCHEMA_VERSION),
  theme: ThemeSchema.default('system'),
  activeProfileId: z.string().nullable().default(null),
  profiles: z.array(ProfileSchema).default([]),
  /** safeStorage ciphertexts (base64), desktop app only; never plain text. */
  secrets: z.record(z.string(), z.string()).default({}),
});
export type Settings = z.infer<typeof SettingsSchema>;

export function emptySettings(): Settings {
  return SettingsSchema.parse({ schemaVersion: SETTINGS_SCHEMA_VERSION });
}

type Migration = (data: Record<string, unknown>) => void;

/** MIGRATIONS[n] turns a version-n file into a version-n+1 file. */
const MIGRATIONS: Migration[] = [
  // 0 → 1: the fields of a file written before versioning are kept as they are.
  (data) => {
    data.schemaVersion = 1;
  },
  // 1 → 2: profiles gain pending certificate requests.
  (data) => {
    data.schemaVersion = 2;
    if (Array.isArray(data.profiles)) {
      data.profiles = data.profiles.map((profile: unknown) =>
        profile && typeof profile === 'object' ? { certificateRequests: [], ...(profile as Record<string, unknown>) } : profile,
      );
    }
  },
];

/**
 * Brings any earlier settings file up to the current schema. Version 0 is a file written
 * before versioning existed (or an empty one): its known fields are kept.
 */
export function migrateSettings(raw: unknown): Settings {
  const data = raw && typeof raw === 'object' ? { ...(raw as Record<string, unknown>) } : {};
  const version = typeof data.schemaVersion === 'number' ? data.schemaVersion : 0;
  if (version > SETTINGS_SCHEMA_VERSION) {
    throw new Error(`settings schema ${version} is newer than this version of the assistant understands (${SETTINGS_SCHEMA_VERSION})`);
  }
  for (const step of MIGRATIONS.slice(version)) step(data);
  return SettingsSchema.parse(data);
}
