import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import { endpointHosts, requireEndpoint, resolveEndpoints } from '../anaplan/endpoints.js';
import { REGIONS } from '../anaplan/regions.js';
import type { EventName, EventPayload, MethodName, MethodOutput, MethodParsedInput } from '../contract.js';
import { checkStoredProxyUrl, type HttpClient, type HttpSettings } from '../net/http.js';
import { passwordKey, profileSecretKeys, type SecretStore } from '../store/secrets.js';
import { ProfileSchema, type NetworkSettings, type Profile, type Settings } from '../store/settings-schema.js';
import type { SettingsStore } from '../store/settings-store.js';
import { certificateRequestHandlers } from './certificate-requests.js';
import { certificateHandlers } from './certificates.js';
import { exportHandlers } from './export-handlers.js';
import { expiryHandlers } from './expiry-handlers.js';
import { oauthHandlers } from './oauth-handlers.js';
import { withProfileToken } from './profile-token.js';
import { checkServerSetup } from './server-check.js';
import { checkJob } from './job-check.js';
import { adminChecklistMarkdown } from './admin-checklist.js';
import { BUNDLE_NAME } from './export-job.js';
import { readFileUpTo } from '../fs/bounded-read.js';
import { lstatSync } from 'node:fs';
import { basename, join } from 'node:path';
import { IntegrationApi } from '../anaplan/integration-api.js';
import { currentAccountName } from './account.js';
import { canHandOver, defaultTokenStoreDir, jobAccount } from './job-account.js';
import { AppError } from '../errors.js';
import type { ProfileAccess } from './profile-access.js';
import { allowedExternalUrl } from './external-links.js';
import { loginBasic } from './login.js';
import { PRODUCT_NAME } from './version.js';

/** What only the front door can do: the desktop app, the browser host and tests fill these in. */
export interface HostCapabilities {
  frontDoor: 'desktop' | 'browser';
  /** null when the front door has no folder dialog (the UI then shows a text field). */
  chooseFolder: ((title: string) => Promise<string | null>) | null;
  /** null when the front door has no file dialog. */
  chooseFile: ((title: string) => Promise<string | null>) | null;
  openExternal(url: string): Promise<boolean>;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
}

export interface AssistantDeps {
  settings: SettingsStore;
  secrets: SecretStore;
  host: HostCapabilities;
  httpClient: (settings: HttpSettings) => HttpClient;
  version: string;
  now?: () => Date;
}

export type Handlers = { [M in MethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>> };


export function createAssistant(deps: AssistantDeps): Handlers {
  const now = deps.now ?? (() => new Date());

  const publicSettings = async (settings: Settings) => ({
    theme: settings.theme,
    activeProfileId: settings.activeProfileId,
    profiles: await Promise.all(
      settings.profiles.map(async (profile) => ({ ...profile, hasStoredPassword: (await deps.secrets.get(passwordKey(profile.id))) !== null })),
    ),
  });

  const profileById = (id: string): Profile => {
    const profile = deps.settings.read().profiles.find((p) => p.id === id);
    if (!profile) throw new AppError('not_found', 'That connection profile no longer exists. Choose another one on the start page.');
    return profile;
  };

  const touchProfile = (id: string, change: (profile: Profile) => Profile): void => {
    deps.settings.update((settings) => ({
      ...settings,
      profiles: settings.profiles.map((p) => (p.id === id ? { ...change(p), updatedAt: now().toISOString() } : p)),
    }));
  };

  const withHttp = async <T>(network: NetworkSettings, work: (http: HttpClient) => Promise<T>): Promise<T> => {
    const http = deps.httpClient({ proxyUrl: network.proxyUrl || undefined, caFile: network.caFile || undefined });
    try {
      return await work(http);
    } finally {
      await http.close();
    }
  };

  const access: ProfileAccess = {
    profileById,
    touchProfile,
    emit: (event, payload) => deps.host.emit(event, payload),
    publicSettings: () => publicSettings(deps.settings.read()),
  };

  return {
    ...certificateRequestHandlers(access),
    ...certificateHandlers({ access, secrets: deps.secrets, withHttp, now }),
    ...oauthHandlers({ access, secrets: deps.secrets, httpClient: deps.httpClient, now }),
    ...exportHandlers({ access, secrets: deps.secrets, generatedBy: `${PRODUCT_NAME} ${deps.version}`, now, homeDir: homedir() }),
    ...expiryHandlers({ settings: deps.settings, now }),

    async appInfo() {
      return {
        name: PRODUCT_NAME,
        version: deps.version,
        frontDoor: deps.host.frontDoor,
        platform: process.platform,
        canChooseFolder: deps.host.chooseFolder !== null,
        secrets: deps.secrets.status(),
        settingsPath: deps.settings.path,
        homeDir: homedir(),
        userName: currentAccountName() || 'unknown',
      };
    },

    async jobAccount({ name }) {
      const account = jobAccount(name);
      return { name: account.name, home: account.home, current: account.current, canHandOver: account.current || canHandOver(), tokenStoreDir: defaultTokenStoreDir(account) };
    },

    async listRegions() {
      return { regions: REGIONS.map((r) => ({ ...r })) };
    },

    async getSettings() {
      return publicSettings(deps.settings.read());
    },

    async saveProfile(draft) {
      // Refuse bad URLs and stored proxy passwords before anything is saved.
      if (draft.endpoints) resolveEndpoints(draft.endpoints);
      if (draft.network?.proxyUrl) checkStoredProxyUrl(draft.network.proxyUrl);
      if (draft.runAs) jobAccount(draft.runAs);
      const stamp = now().toISOString();
      const settings = deps.settings.update((current) => {
        const existing = draft.id ? current.profiles.find((p) => p.id === draft.id) : undefined;
        if (draft.id && !existing) throw new AppError('not_found', 'That connection profile no longer exists.');
        const clash = current.profiles.find((p) => p.name.toLowerCase() === draft.name.toLowerCase() && p.id !== draft.id);
        if (clash) throw new AppError('bad_input', `A connection named "${draft.name}" already exists. Choose another name (one profile per Anaplan account).`);
        const { id: _ignored, ...changes } = draft;
        const merged = ProfileSchema.parse({
          ...(existing ?? { id: randomUUID(), createdAt: stamp }),
          ...stripUndefined(changes),
          updatedAt: stamp,
        });
        const profiles = existing ? current.profiles.map((p) => (p.id === merged.id ? merged : p)) : [...current.profiles, merged];
        return { ...current, profiles, activeProfileId: merged.id };
      });
      return publicSettings(settings);
    },

    async selectProfile({ id }) {
      if (id !== null) profileById(id);
      return publicSettings(deps.settings.update((s) => ({ ...s, activeProfileId: id })));
    },

    async deleteProfile({ id }) {
      profileById(id);
      for (const key of profileSecretKeys(id)) await deps.secrets.delete(key);
      return publicSettings(
        deps.settings.update((s) => ({
          ...s,
          profiles: s.profiles.filter((p) => p.id !== id),
          activeProfileId: s.activeProfileId === id ? null : s.activeProfileId,
        })),
      );
    },

    async setTheme({ theme }) {
      return publicSettings(deps.settings.update((s) => ({ ...s, theme })));
    },

    async loginBasic({ profileId, password, rememberPassword }) {
      const profile = profileById(profileId);
      if (!profile.email) throw new AppError('bad_input', 'Enter the Anaplan user\u2019s email on the Account step first.');
      const secret = password || (await deps.secrets.get(passwordKey(profileId)));
      if (!secret) throw new AppError('bad_input', 'Enter the password of the Anaplan user.');
      const endpoints = resolveEndpoints(profile.endpoints);
      deps.host.emit('progress', { task: 'login', message: `Signing in at ${new URL(requireEndpoint(endpoints, 'authUrl')).host}…` });
      const result = await withHttp(profile.network, (http) => loginBasic(http, endpoints, profile.email, secret));
      let passwordStored = false;
      if (rememberPassword && password && deps.secrets.status().available) {
        await deps.secrets.set(passwordKey(profileId), password);
        passwordStored = true;
      }
      const at = now().toISOString();
      touchProfile(profileId, (p) => ({ ...p, basicPasswordCheckedAt: at, lastLogin: { at, email: result.user.email } }));
      return { ...result, passwordStored };
    },

    async checkServerSetup(input) {
      return { findings: checkServerSetup(input) };
    },

    async downloadFile({ profileId, file }) {
      const profile = profileById(profileId);
      const path =
        file === 'bundle'
          ? profile.exportOptions.dir && join(profile.exportOptions.dir, BUNDLE_NAME)
          : file === 'certificate'
            ? profile.certificate?.certificatePath
            : profile.certificate?.chainPath;
      if (!path) throw new AppError('not_found', file === 'bundle' ? 'Export the job with the ZIP first (the Export step).' : 'Import the issued certificate first (the Import certificate step).');
      let bytes: Buffer | null;
      try {
        // What the assistant wrote there, never what a link put in its place.
        if (lstatSync(path).isSymbolicLink()) throw new Error('symbolic link');
        bytes = readFileUpTo(path, 20 * 1024 * 1024);
      } catch {
        throw new AppError('not_found', `${path} cannot be read any more: write it again (import the certificate or export the job again).`);
      }
      if (!bytes) throw new AppError('bad_input', `${path} is too big to download here.`);
      return { name: basename(path), base64: bytes.toString('base64') };
    },

    async adminChecklist({ method }) {
      return { markdown: adminChecklistMarkdown(method) };
    },

    async checkJob({ profileId }) {
      const dir = profileById(profileId).exportOptions.dir;
      if (!dir) throw new AppError('bad_input', 'Export the job first (the Export step): the check runs on the folder it was written to.');
      return { dir, ...(await checkJob(dir)) };
    },

    async listModelObjects({ profileId, secret }) {
      const profile = profileById(profileId);
      if (!profile.workspace || !profile.model) throw new AppError('bad_input', 'Choose the workspace and the model first.');
      const { workspace, model } = profile;
      return withHttp(profile.network, (http) =>
        withProfileToken(http, profile, deps.secrets, secret, (apiUrl, token) => new IntegrationApi(http, apiUrl, token).modelObjects(workspace.id, model.id)),
      );
    },

    async chooseFile({ title }) {
      if (!deps.host.chooseFile) return { path: null };
      return { path: await deps.host.chooseFile(title) };
    },

    async chooseFolder({ title }) {
      if (!deps.host.chooseFolder) return { path: null };
      return { path: await deps.host.chooseFolder(title) };
    },

    async openExternal({ url }) {
      const customHosts = deps.settings.read().profiles.flatMap((p) => safeHosts(p));
      const allowed = allowedExternalUrl(url, customHosts);
      if (!allowed) throw new AppError('forbidden', 'That link is not on an Anaplan address the assistant knows, so it was not opened.');
      return { opened: await deps.host.openExternal(allowed) };
    },
  };


}

function safeHosts(profile: Profile): string[] {
  try {
    return endpointHosts(resolveEndpoints(profile.endpoints));
  } catch {
    return [];
  }
}


function stripUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
