import * as z from 'zod';
import { EndpointChoiceSchema } from './anaplan/endpoints.js';
import { METHOD_NAMES, type EventName, type MethodName } from './contract-names.js';
import { ERROR_CODES } from './errors.js';
import {
  AuthMethodSchema,
  CertificateRequestSchema,
  NetworkSettingsSchema,
  PasswordSourceSchema,
  PlatformSchema,
  ProfileSchema,
  ThemeSchema,
  WizardStepSchema,
} from './store/settings-schema.js';
import { CA_PROFILE_IDS } from './pki/ca-profiles.js';

/**
 * The single list of what the UI may ask of the core. The preload exposes one function per
 * method, `ipcMain.handle` registers the same list, and the HTTP bridge of `anaplan-setup ui`
 * serves it: every input is parsed with its schema at each of those boundaries.
 */

const Empty = z.object({}).strict();

export const RegionSchema = z.object({ id: z.string(), name: z.string(), apiUrl: z.string(), authUrl: z.string(), oauthUrl: z.string() });

export const SecretStatusSchema = z.object({ available: z.boolean(), backend: z.string(), reason: z.string().nullable() });

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  frontDoor: z.enum(['desktop', 'browser']),
  platform: z.string(),
  canChooseFolder: z.boolean(),
  secrets: SecretStatusSchema,
  settingsPath: z.string(),
  homeDir: z.string(),
  userName: z.string(),
});

/** Settings as the UI sees them: never the secret ciphertexts. */
export const PublicSettingsSchema = z.object({
  theme: ThemeSchema,
  activeProfileId: z.string().nullable(),
  profiles: z.array(ProfileSchema.extend({ hasStoredPassword: z.boolean() })),
});

const Email = z.string().trim().max(254).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'Enter the Anaplan user\u2019s email address, e.g. name@company.com.');

export const ProfileDraftSchema = z.object({
  id: z.string().optional(),
  name: z.string().trim().min(1, 'Give the connection a name.').max(80),
  email: z.union([Email, z.literal('')]).optional(),
  endpoints: EndpointChoiceSchema.optional(),
  network: NetworkSettingsSchema.optional(),
  authMethod: AuthMethodSchema.nullable().optional(),
  /** The account that runs the job; empty for the account running the assistant (checked against the password database). */
  runAs: z.string().trim().max(64).optional(),
  step: WizardStepSchema.optional(),
  workspace: z.object({ id: z.string(), name: z.string() }).nullable().optional(),
  model: z.object({ id: z.string(), name: z.string() }).nullable().optional(),
  exportOptions: z
    .object({
      dir: z.string(),
      platforms: z.array(PlatformSchema).min(1),
      passwordSource: PasswordSourceSchema,
      passwordEnvVar: z.string(),
    })
    .optional(),
});

export const LoginResultSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), firstName: z.string().optional(), lastName: z.string().optional() }),
  workspaces: z.array(z.object({ id: z.string(), name: z.string(), models: z.array(z.object({ id: z.string(), name: z.string() })) })),
  /** What the job's own sign-in will meet that this test showed (anaplan-facts §8). */
  warnings: z.array(z.string()).optional(),
  /** Certificate logins: which payloads the tenant accepted; Anaplan Connect 4.1.0 sends v1. */
  certificatePayloads: z.object({ v2: z.enum(['accepted', 'refused']), v1: z.enum(['accepted', 'refused']) }).optional(),
});
export type LoginResult = z.infer<typeof LoginResultSchema>;

const Name = z.string().trim().min(1).max(1000);
export const OperationPresetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('import'), file: Name, localFile: Name, importName: Name }),
  z.object({ kind: z.literal('process'), processName: Name }),
  z.object({ kind: z.literal('export'), exportName: Name, localFile: Name }),
]);

/** How a certificate job signs in (anaplan-facts §5: a keystore, or the certificate and key files). */
export const CertificateExportChoiceSchema = z.object({
  form: z.enum(['keystore', 'pem']).default('keystore'),
  /** keystore: Anaplan Connect reads the password from keystore-access.txt ("file"), or -keystorepass in the script ("inline"). */
  keystorePasswordSource: z.enum(['file', 'inline']).default('file'),
  /** pem: the key's passphrase from an environment variable, written in the script, or none (unencrypted key). */
  keyPassphraseSource: z.enum(['env', 'inline', 'none']).default('env'),
  keyPassphraseEnvVar: z.string().default('ANAPLAN_KEY_PASSPHRASE'),
  /** The home folder of the account that runs the job: keystore-access.txt goes into its .anaplan/api-client/. */
  jobHome: z.string().trim().optional(),
  /** The keystore password or key passphrase, when it is written somewhere (keystore-access.txt or inline). */
  secret: z.string().max(1024).optional(),
});

export const ExportRequestSchema = z.object({
  profileId: z.string(),
  dir: z.string().trim().min(1, 'Choose the folder the files go into.'),
  platforms: z.array(PlatformSchema).min(1, 'Choose Linux, Windows or both.'),
  passwordSource: PasswordSourceSchema.default('env'),
  passwordEnvVar: z.string().default('ANAPLAN_PASSWORD'),
  /** Only with passwordSource "inline", which the user chose knowingly. */
  password: z.string().optional(),
  /** For profiles whose auth method is "certificate". */
  certificate: CertificateExportChoiceSchema.optional(),
  /** Also write anaplan-connect-job.zip: the whole job as one file to copy to the server. */
  bundle: z.boolean().default(false),
  /** The Anaplan Connect actions the job runs, in order; empty leaves Operation for the person to fill in. */
  operation: z.array(z.string().max(1000)).max(200).default([]),
  /** A common job, composed into `operation` in Anaplan Connect's order and spelling. */
  operationPreset: OperationPresetSchema.nullable().default(null),
  /** Where and how the job runs on the server (checked in detail by the export). */
  job: z
    .object({
      connection: z
        .object({
          proxyUrl: z.string().optional(),
          proxyUser: z.string().optional(),
          proxyPasswordEnvVar: z.string().optional(),
          maxRetryCount: z.number().optional(),
          retryTimeoutSeconds: z.number().optional(),
          httpTimeoutSeconds: z.number().optional(),
          chunkSizeMb: z.number().optional(),
        })
        .optional(),
      anaplanConnectDir: z.string().optional(),
      javaHome: z.string().optional(),
      logDir: z.string().optional(),
      onFailure: z.string().max(2000).optional(),
      schedule: z.object({ time: z.string(), account: z.string().optional() }).optional(),
    })
    .optional(),
});

export const ExportFileStatusSchema = z.enum(['new', 'same', 'changed']);
/** What the assistant did, as commands a person could run by hand; secrets appear as $VARIABLES. */
export const EquivalentCommandSchema = z.object({ tool: z.enum(['openssl', 'keytool', 'Anaplan Connect']), title: z.string(), command: z.string() });

export const ExportPreviewSchema = z.object({
  dir: z.string(),
  files: z.array(z.object({ name: z.string(), content: z.string(), mode: z.number(), status: ExportFileStatusSchema, existing: z.string().nullable() })),
  warnings: z.array(z.string()),
  equivalentCommands: z.array(EquivalentCommandSchema),
});
export const ExportWrittenSchema = z.object({
  files: z.array(z.object({ path: z.string(), status: z.enum(['created', 'replaced', 'unchanged']) })),
  warnings: z.array(z.string()),
  equivalentCommands: z.array(EquivalentCommandSchema),
  /** Before tonight's run: what is left, for this method only, with commands to paste. */
  nextSteps: z.array(z.object({ text: z.string(), command: z.string().optional() })).default([]),
  /** The account that runs the job, and what root must run to hand it the files (empty when nothing is left). */
  runAs: z.string().default(''),
  handOverCommands: z.array(z.string()).default([]),
});

/** The account that runs the job, as the password database has it (main/core/job-account.ts). */
export const JobAccountViewSchema = z.object({
  name: z.string(),
  home: z.string(),
  /** The account running the assistant: nothing to hand over. */
  current: z.boolean(),
  /** Whether this assistant can make files that account's own (it runs as root). */
  canHandOver: z.boolean(),
  /** Where the device grant puts Anaplan Connect's token store for it by default. */
  tokenStoreDir: z.string(),
});

export { CA_PROFILE_IDS };
const SubjectFieldNeed = z.enum(['required', 'optional', 'ignored']);
export const CaProfileSchema = z.object({
  id: z.enum(CA_PROFILE_IDS),
  name: z.string(),
  product: z.string(),
  fields: z.object({
    commonName: SubjectFieldNeed,
    email: SubjectFieldNeed,
    organization: SubjectFieldNeed,
    organizationalUnit: SubjectFieldNeed,
    locality: SubjectFieldNeed,
    state: SubjectFieldNeed,
    country: SubjectFieldNeed,
  }),
  keySizes: z.array(z.union([z.literal(2048), z.literal(3072), z.literal(4096)])),
  hash: z.enum(['sha256', 'sha512']),
  emailMaxLength: z.number(),
  note: z.string(),
});

// Only a size bound here: the certificate rules (lengths, country codes, per-CA needs) are
// checked by main/pki/subject.ts, whose messages name each field.
const Text = z.string().trim().max(1024);
export const CsrSubjectSchema = z.object({
  commonName: Text,
  email: Text,
  organization: Text.optional(),
  organizationalUnit: Text.optional(),
  locality: Text.optional(),
  state: Text.optional(),
  country: Text.optional(),
});

export const GenerateRequestInputSchema = z.object({
  profileId: z.string(),
  caProfileId: z.enum(CA_PROFILE_IDS),
  subject: CsrSubjectSchema,
  bits: z.union([z.literal(2048), z.literal(3072), z.literal(4096)]),
  /** null: the key is stored unencrypted, which the user chose knowingly. */
  passphrase: z.string().max(1024).nullable(),
  dir: z.string().trim().min(1, 'Choose the folder for the key and the request.'),
  /** Keep a numbered backup of an existing key instead of refusing. */
  forceBackup: z.boolean().default(false),
});

const FindingSchema = z.object({ code: z.string(), level: z.enum(['block', 'warn']), message: z.string() });

export const CertificateSourceSchema = z.union([
  z.object({ path: z.string().trim().min(1, 'Choose the certificate file the CA sent.') }),
  z.object({ text: z.string().min(1, 'Paste the certificate the CA sent.').max(1_000_000) }),
  // Uploaded from the browser (the person's machine): the bytes as base64, at most about 1 MB of file.
  z.object({
    upload: z.object({
      name: z.string().trim().min(1).max(255),
      base64: z.string().min(4, 'The uploaded file is empty.').max(1_400_000, 'The uploaded file is too big for a certificate (over 1 MB).').regex(/^[A-Za-z0-9+/]*={0,2}$/, 'The upload is damaged (not base64): choose the file again.'),
    }),
  }),
]);

/** The private key the certificate belongs to: a pending request's, or a key file. */
export const KeyChoiceSchema = z.union([
  z.object({ requestId: z.string(), passphrase: z.string().max(1024).nullable() }),
  z.object({ path: z.string().trim().min(1), passphrase: z.string().max(1024).nullable() }),
  z.object({ fromBundle: z.literal(true) }),
]);

export const ImportPreviewInputSchema = z.object({
  profileId: z.string(),
  source: CertificateSourceSchema,
  key: KeyChoiceSchema,
  filePassword: z.string().max(1024).nullable().default(null),
});

export const CertificateFactsSchema = z.object({
  subject: z.string(),
  email: z.string(),
  issuer: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  fingerprint: z.string(),
  chainLength: z.number(),
  findings: z.array(FindingSchema),
});

export const DeviceCodeViewSchema = z.object({
  flowId: z.string(),
  userCode: z.string(),
  verificationUri: z.string(),
  verificationUriComplete: z.string().nullable(),
  /** The sign-in URL as a QR code (SVG), for a phone. */
  qrSvg: z.string(),
  expiresAt: z.number(),
  interval: z.number(),
});

/** Something that expires and stops an unattended job (main/core/expiry.ts), soonest first. */
export const ExpirySchema = z.object({
  profileId: z.string(),
  profileName: z.string(),
  kind: z.enum(['certificate', 'refresh-token', 'password']),
  expiresAt: z.string().nullable(),
  daysLeft: z.number().nullable(),
  level: z.enum(['ok', 'warn', 'expired']),
  threshold: z.union([z.literal(30), z.literal(14), z.literal(7)]).nullable(),
  message: z.string(),
});

const NamedList = z.array(z.object({ id: z.string(), name: z.string() }));

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const contract = {
  appInfo: method(Empty, AppInfoSchema),
  listRegions: method(Empty, z.object({ regions: z.array(RegionSchema) })),
  getSettings: method(Empty, PublicSettingsSchema),
  saveProfile: method(ProfileDraftSchema, PublicSettingsSchema),
  selectProfile: method(z.object({ id: z.string().nullable() }), PublicSettingsSchema),
  deleteProfile: method(z.object({ id: z.string() }), PublicSettingsSchema),
  setTheme: method(z.object({ theme: ThemeSchema }), PublicSettingsSchema),
  loginBasic: method(
    z.object({ profileId: z.string(), password: z.string().optional(), rememberPassword: z.boolean().default(false) }),
    LoginResultSchema.extend({ passwordStored: z.boolean() }),
  ),
  previewExport: method(ExportRequestSchema, ExportPreviewSchema),
  writeExport: method(ExportRequestSchema.extend({ overwrite: z.boolean().default(false) }), ExportWrittenSchema),
  chooseFolder: method(z.object({ title: z.string().max(200) }), z.object({ path: z.string().nullable() })),
  openExternal: method(z.object({ url: z.string().max(2000) }), z.object({ opened: z.boolean() })),
  listCaProfiles: method(Empty, z.object({ profiles: z.array(CaProfileSchema) })),
  checkCaName: method(z.object({ name: z.string().max(200) }), z.object({ unsupported: z.object({ name: z.string(), message: z.string() }).nullable() })),
  generateCertificateRequest: method(GenerateRequestInputSchema, z.object({ request: CertificateRequestSchema, warnings: z.array(z.string()) })),
  deleteCertificateRequest: method(z.object({ profileId: z.string(), requestId: z.string() }), PublicSettingsSchema),
  chooseFile: method(z.object({ title: z.string().max(200) }), z.object({ path: z.string().nullable() })),
  previewCertificateImport: method(ImportPreviewInputSchema, CertificateFactsSchema),
  importCertificate: method(
    ImportPreviewInputSchema.extend({
      outDir: z.string().trim().min(1, 'Choose the folder for the certificate and the keystore.'),
      alias: z.string().trim().default('anaplan-connect'),
      keystorePassword: z.string().max(1024),
      overwrite: z.boolean().default(false),
      rememberSecrets: z.boolean().default(false),
    }),
    z.object({
      certificatePath: z.string(),
      chainPath: z.string().nullable(),
      keystorePath: z.string(),
      alias: z.string(),
      facts: CertificateFactsSchema,
      secretsStored: z.boolean(),
      /** For a job run by another account: what root must run to hand it the files (empty when nothing is left). */
      handOverCommands: z.array(z.string()).default([]),
    }),
  ),
  startDeviceFlow: method(
    z.object({
      profileId: z.string(),
      clientId: z.string().trim().max(256),
      rotatable: z.boolean().default(false),
      /** The folder the exported script will set as AC_OAUTH_KEYSTORE_DIR. */
      tokenStoreDir: z.string().trim().min(1, 'Choose the folder for Anaplan Connect’s token store.'),
      encoding: z.enum(['form', 'json']).default('form'),
      rememberRefreshToken: z.boolean().default(false),
    }),
    DeviceCodeViewSchema,
  ),
  cancelDeviceFlow: method(z.object({ flowId: z.string() }), z.object({ cancelled: z.boolean() })),
  loginOAuth: method(z.object({ profileId: z.string() }), LoginResultSchema),
  checkServerSetup: method(
    z.object({ anaplanConnectDir: z.string().max(4096), javaHome: z.string().max(4096) }),
    z.object({ findings: z.array(z.object({ level: z.enum(['ok', 'warn', 'block']), message: z.string() })) }),
  ),
  listModelObjects: method(
    z.object({
      profileId: z.string(),
      /** The password (Basic) or keystore password (certificate) when not in the keychain; unused for OAuth. */
      secret: z.string().max(1024).nullable().default(null),
    }),
    z.object({ imports: NamedList, exports: NamedList, processes: NamedList, actions: NamedList, files: NamedList }),
  ),
  loginCertificate: method(
    z.object({
      profileId: z.string(),
      /** keystore: the keystore password; pem: the key's passphrase (null for an unencrypted key). Empty: from the keychain. */
      form: z.enum(['keystore', 'pem']).default('keystore'),
      secret: z.string().max(1024).nullable().optional(),
    }),
    LoginResultSchema,
  ),
  getExpiries: method(Empty, z.object({ expiries: z.array(ExpirySchema) })),
  /**
   * A file the assistant wrote, for the person's own machine (browser front door): only the
   * profile's certificate, chain and job bundle, never a path the page names, never a key.
   */
  downloadFile: method(
    z.object({ profileId: z.string(), file: z.enum(['certificate', 'chain', 'bundle']) }),
    z.object({ name: z.string(), base64: z.string() }),
  ),
  /** What to ask the Anaplan administrator, per method, as Markdown (anaplan-setup admin-checklist). */
  adminChecklist: method(z.object({ method: z.enum(['basic', 'certificate', 'oauth']) }), z.object({ markdown: z.string() })),
  /** The job the profile last exported, checked on this machine (anaplan-setup check-job): only that folder, never one the page names. */
  checkJob: method(
    z.object({ profileId: z.string() }),
    z.object({
      dir: z.string(),
      ok: z.boolean(),
      checks: z.array(z.object({ name: z.string(), ok: z.boolean(), message: z.string() })),
      workspaces: z.array(z.object({ id: z.string(), name: z.string() })),
    }),
  ),
  /** The account that runs the job: its home and what the assistant can do for it (an unknown account is a field error). */
  jobAccount: method(z.object({ name: z.string().trim().max(64) }), JobAccountViewSchema),
} as const satisfies { [M in MethodName]: { input: z.ZodType; output: z.ZodType } };

export type Contract = typeof contract;
export { EVENT_NAMES, METHOD_NAMES, ipcChannel, ipcEventChannel, type EventName, type MethodName } from './contract-names.js';
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type MethodParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;

export function isMethodName(name: string): name is MethodName {
  return (METHOD_NAMES as readonly string[]).includes(name);
}

/** Events from the core to the UI travel through the same contract. */
export const events = {
  progress: z.object({ task: z.string(), message: z.string(), fraction: z.number().min(0).max(1).optional() }),
  /** The device grant's live status: waiting for the sign-in, slowed down, retrying, done or failed. */
  deviceFlow: z.object({
    flowId: z.string(),
    state: z.enum(['pending', 'slow_down', 'retrying', 'done', 'error']),
    message: z.string(),
    interval: z.number().optional(),
    result: LoginResultSchema.extend({ tokenStore: z.string(), refreshTokenStored: z.boolean(), handOverCommands: z.array(z.string()).optional() }).optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    /** On an error after the refresh token was saved: where. The sign-in can be tested without a new code. */
    tokenStore: z.string().optional(),
  }),
} as const satisfies { [E in EventName]: z.ZodType };
export type Events = typeof events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

/** What every front door returns for a call: a result or a person-readable error. */
export const ErrorPayloadSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type CallOutcome<T> = { ok: true; value: T } | { ok: false; error: z.infer<typeof ErrorPayloadSchema> };

/** The typed API the renderer talks to, whichever front door carries it. */
export type AssistantApi = { [M in MethodName]: (input: MethodInput<M>) => Promise<MethodOutput<M>> } & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};
