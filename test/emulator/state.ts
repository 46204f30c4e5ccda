import { randomBytes } from 'node:crypto';
import { SEED } from './seed.js';

/** The emulator's tenant. Plain mutable data: tests may change it between calls. */

export interface EmulatorUser {
  id: string;
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  customerId: string;
  /** Signs in through SSO and is not an exception user: Basic login is refused. */
  sso: boolean;
  passwordExpired: boolean;
  /** Workspaces this user may see. */
  workspaceIds: string[];
  /** ms since the epoch of the last successful login, if any. */
  lastLoginAt: number | null;
}

export interface EmulatorWorkspace {
  id: string;
  name: string;
  active: boolean;
  sizeAllowance: number;
  currentSize: number;
}

export interface ImportDefinition {
  id: string;
  name: string;
  importDataSourceId: string;
  importType: string;
}
export interface ExportDefinition {
  id: string;
  name: string;
  exportType: string;
  exportFormat: string;
}
export interface ProcessDefinition {
  id: string;
  name: string;
  /**
   * The imports, exports and actions it runs, in order ("a process is a container for actions",
   * Anaplan's process docs). Not part of the process list's JSON, which is id and name only.
   */
  actionIds: string[];
}
export interface ActionDefinition {
  id: string;
  name: string;
  actionType: string;
}
export interface FileDefinition {
  id: string;
  name: string;
  chunkCount: number;
  delimiter: string;
  encoding: string;
  firstDataRow: number;
  format: string;
  headerRow: number;
  separator: string;
}

export interface ModelObjects {
  imports: ImportDefinition[];
  exports: ExportDefinition[];
  processes: ProcessDefinition[];
  actions: ActionDefinition[];
  files: FileDefinition[];
}

export interface EmulatorModel {
  id: string;
  name: string;
  workspaceId: string;
  activeState: 'UNLOCKED' | 'LOCKED' | 'ARCHIVED' | 'MAINTENANCE';
  memoryUsage: number;
  objects: ModelObjects;
}

export interface TokenRecord {
  tokenId: string;
  tokenValue: string;
  refreshTokenId: string;
  /** The user's email (Anaplan's `userId`). */
  userEmail: string;
  /** ms since the epoch */
  expiresAt: number;
}

/** A certificate a Tenant Administrator registered (Administration › Security › Certificates, anaplan-facts §3). */
export interface RegisteredCertificate {
  /** The user it signs in as. */
  userEmail: string;
  der: Buffer;
  /** SHA-256 of the DER, colon-separated uppercase hex. */
  fingerprint256: string;
}

export interface EmulatorState {
  users: EmulatorUser[];
  workspaces: EmulatorWorkspace[];
  models: EmulatorModel[];
  /** Live tokens by token value. */
  tokens: Map<string, TokenRecord>;
  certificates: RegisteredCertificate[];
  /** The base64 `encodedData` of every accepted certificate login: a message is good once. */
  usedCertificateMessages: Set<string>;
  /** The OAuth 2.0 device grant (routes/oauth.ts). */
  oauth: OAuthState;
  /** File uploads, file content, export results and tasks (routes/files.ts, routes/tasks.ts). */
  transfers: TransferState;
}

/** The kinds of model object that run as tasks; each is also its URL segment. */
export type TaskKind = 'imports' | 'exports' | 'processes' | 'actions';

/** Anaplan's task states (Integration API v2.0, "Check the status of the import action"). */
export type TaskState = 'NOT_STARTED' | 'IN_PROGRESS' | 'COMPLETE' | 'CANCELLING' | 'CANCELLED';

/** A task someone started, as tests see it (Emulator.tasks). */
export interface EmulatorTask {
  kind: TaskKind;
  /** The import, export, process or action ID. */
  objectId: string;
  workspaceId: string;
  modelId: string;
  /** 32 uppercase hex characters, as Anaplan writes task IDs. */
  taskId: string;
  /** Who started it. */
  userEmail: string;
  state: TaskState;
}

/** One entry of a task result's `details` (Anaplan's TaskResultDetail). */
export interface TaskResultDetail {
  localMessageText: string;
  occurrences: number;
  type: string;
  /** Alternating names and values, e.g. ["hierarchyName", "Employees", "successRowCount", "90"]. */
  values: string[];
}

/** A completed task's `result`; a process has one nested result per action it ran. */
export interface TaskResult {
  details?: TaskResultDetail[];
  failureDumpAvailable: boolean;
  nestedResults?: TaskResult[];
  objectId: string;
  successful: boolean;
}

/** A task with what the emulator needs to answer for it. */
export interface TaskRecord extends EmulatorTask {
  /** ms since the epoch, by the emulator's clock */
  creationTime: number;
  localeName: string;
  /** Status reads so far. */
  polls: number;
  /** Taken from failNextTask when the task was created: it completes unsuccessfully (an undefined message: the default one). Null: it succeeds. */
  failure: { message: string | undefined } | null;
  /** Set when the task completes. */
  result: TaskResult | null;
  /** Failure dumps by object ID: the task's own under its objectId, a process's under each nested action's ID. */
  dumps: Map<string, Buffer>;
}

/** A failNextTask script, used up by the next task created for that object. */
export interface ScriptedFailure {
  kind: TaskKind;
  objectId: string;
  message: string | undefined;
}

/** An upload begun with POST .../files/{fileId} (or a first chunk), not yet complete. */
export interface UploadSession {
  /** As declared: the upload completes when that many chunks are in; -1 waits for POST .../complete. */
  chunkCount: number;
  /** Chunk bytes by chunk number, decompressed. */
  chunks: Map<number, Buffer>;
}

export interface TransferState {
  /** Uploads under way, by fileKey(modelId, fileId). */
  uploads: Map<string, UploadSession>;
  /** The chunks of every file with content: completed uploads and export results, by fileKey(modelId, fileId). */
  contents: Map<string, Buffer[]>;
  /** What an export writes (Emulator.setExportContent), by fileKey(modelId, exportId); absent: a CSV made from its name. */
  exportContent: Map<string, Buffer>;
  /** Every task created, oldest first. */
  tasks: TaskRecord[];
  /** failNextTask scripts, oldest first. */
  failures: ScriptedFailure[];
}

/** Transfer state is kept per model; a file ID alone recurs in every model. */
export function fileKey(modelId: string, fileId: string): string {
  return `${modelId}/${fileId}`;
}

export function emptyTransfers(): TransferState {
  return { uploads: new Map(), contents: new Map(), exportContent: new Map(), tasks: [], failures: [] };
}

/** An OAuth client a Tenant security administrator created (anaplan-facts §4). */
export interface OAuthClient {
  clientId: string;
  name: string;
  /** Only "Device grant" clients may use the device flow; others get unauthorized_client. */
  grantType: 'device' | 'authorization_code';
  /** A new refresh token comes with every refresh, and the old one stops working. */
  rotatable: boolean;
  /** Seconds a refresh token lives; null: it never expires (a non-rotatable client). */
  refreshTokenLifetime: number | null;
}

export interface NewOAuthClient {
  clientId: string;
  name?: string | undefined;
  grantType?: OAuthClient['grantType'] | undefined;
  rotatable?: boolean | undefined;
  refreshTokenLifetime?: number | null | undefined;
}

export type DeviceCodeStatus = 'pending' | 'approved' | 'denied' | 'used';

export interface DeviceCodeRecord {
  deviceCode: string;
  /** As shown to the user, e.g. `BCDF-GHJK`. */
  userCode: string;
  clientId: string;
  scope: string;
  /** ms since the epoch, by the emulator's clock */
  issuedAt: number;
  expiresAt: number;
  /** Seconds a client must leave between polls; slow_down adds 5 for good (RFC 8628 §3.5). */
  interval: number;
  status: DeviceCodeStatus;
  /** Who approved (or tried to). */
  userEmail: string | null;
  /** Sent as error_description with access_denied. */
  denialReason: string | null;
  /** When the code was last polled: the issue time before the first poll. */
  lastPollAt: number;
}

export interface RefreshTokenRecord {
  value: string;
  clientId: string;
  userEmail: string;
  scope: string;
  /** ms since the epoch; null: never expires. */
  expiresAt: number | null;
}

/** One device-code poll and its answer: `tokens` or the OAuth error sent. */
export interface OAuthPoll {
  time: number;
  deviceCode: string;
  answer: string;
  /** The interval (seconds) in force for the code after this answer. */
  interval: number;
  /** Answered from the script (POST /__emulator/oauth/script) rather than the code's state. */
  scripted: boolean;
}

export interface OAuthState {
  clients: OAuthClient[];
  deviceCodes: DeviceCodeRecord[];
  /** Live refresh tokens by value. */
  refreshTokens: Map<string, RefreshTokenRecord>;
  /** Answers for the next device-code polls, first first. */
  script: string[];
  polls: OAuthPoll[];
}

/** The tenant's OAuth clients (Administration › Security › OAuth Clients). */
export const SEED_OAUTH_CLIENTS = {
  /** Non-rotatable: the refresh token never expires. */
  deviceGrant: {
    clientId: '3f2a9c1d5b7e4a6c8d0e1f2a3b4c5d6e',
    name: 'Anaplan Connect (device grant)',
    grantType: 'device',
    rotatable: false,
    refreshTokenLifetime: null,
  },
  /** Rotatable, with Anaplan's default refresh-token lifetime of 43,000 s. */
  rotatable: {
    clientId: '7c4e1b9a2d6f4e8a9b0c1d2e3f4a5b6c',
    name: 'Anaplan Connect (device grant, rotatable)',
    grantType: 'device',
    rotatable: true,
    refreshTokenLifetime: 43_000,
  },
} as const satisfies Record<string, OAuthClient>;

export interface NewUser {
  email: string;
  password: string;
  firstName?: string | undefined;
  lastName?: string | undefined;
  sso?: boolean | undefined;
  passwordExpired?: boolean | undefined;
  /** Defaults to the workspaces the seeded integration user sees. */
  workspaceIds?: string[] | undefined;
}

export function createSeedState(): EmulatorState {
  return {
    users: Object.values(SEED.users).map((user) => ({
      ...user,
      customerId: SEED.customerId,
      workspaceIds: [...user.workspaceIds],
      lastLoginAt: null,
    })),
    workspaces: Object.values(SEED.workspaces).map((workspace) => ({ ...workspace })),
    models: Object.values(SEED.models).map((model) => ({
      ...model,
      activeState: 'UNLOCKED',
      memoryUsage: 268_435_456,
      objects: copyModelObjects(SEED.modelObjects),
    })),
    tokens: new Map(),
    certificates: [],
    usedCertificateMessages: new Set(),
    oauth: {
      clients: Object.values(SEED_OAUTH_CLIENTS).map((client) => ({ ...client })),
      deviceCodes: [],
      refreshTokens: new Map(),
      script: [],
      polls: [],
    },
    transfers: emptyTransfers(),
  };
}

function copyModelObjects(source: typeof SEED.modelObjects): ModelObjects {
  return {
    imports: source.imports.map((entry) => ({ ...entry })),
    exports: source.exports.map((entry) => ({ ...entry })),
    processes: source.processes.map((entry) => ({ ...entry, actionIds: [...entry.actionIds] })),
    actions: source.actions.map((entry) => ({ ...entry })),
    files: source.files.map((entry) => ({ ...entry })),
  };
}

/** Adds a user, or replaces the one with the same email (keeping its id). */
export function upsertUser(state: EmulatorState, input: NewUser): EmulatorUser {
  const existing = findUser(state, input.email);
  const user: EmulatorUser = {
    id: existing?.id ?? randomHexId(),
    email: input.email,
    password: input.password,
    firstName: input.firstName ?? 'Test',
    lastName: input.lastName ?? 'User',
    customerId: SEED.customerId,
    sso: input.sso ?? false,
    passwordExpired: input.passwordExpired ?? false,
    workspaceIds: input.workspaceIds ?? [...SEED.users.integration.workspaceIds],
    lastLoginAt: existing?.lastLoginAt ?? null,
  };
  if (existing) state.users.splice(state.users.indexOf(existing), 1, user);
  else state.users.push(user);
  return user;
}

/** Emails are matched without regard to case. */
export function findUser(state: EmulatorState, email: string): EmulatorUser | undefined {
  const wanted = email.toLowerCase();
  return state.users.find((user) => user.email.toLowerCase() === wanted);
}

/** A 32-character uppercase hex ID, the shape of Anaplan's user, workspace and model IDs. */
export function randomHexId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}
