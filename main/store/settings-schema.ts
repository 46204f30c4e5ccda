import { z } from 'zod';
import { EndpointChoiceSchema } from '../anaplan/endpoints.js';

/**
 * The settings file, shared by the desktop app (electron-store) and the Node front doors
 * (conf): one schema, one migration path. It never holds a secret in plain text.
 */
export const SETTINGS_SCHEMA_VERSION = 1;

export const AUTH_METHODS = ['basic', 'certificate', 'oauth'] as const;
export const AuthMethodSchema = z.enum(AUTH_METHODS);
export type AuthMethod = z.infer<typeof AuthMethodSchema>;

export const WIZARD_STEPS = ['account', 'method', 'credentials', 'login', 'target', 'export', 'done'] as const;
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
  if (version === 0) data.schemaVersion = 1;
  return SettingsSchema.parse(data);
}
