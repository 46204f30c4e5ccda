import { randomUUID } from 'node:crypto';
import { resolveEndpoints } from '../anaplan/endpoints.js';
import type { EventPayload, MethodOutput, MethodParsedInput } from '../contract.js';
import type { HttpClient, HttpSettings } from '../net/http.js';
import { refreshTokenKey, type SecretStore } from '../store/secrets.js';
import type { OAuthSettings } from '../store/settings-schema.js';
import { DEFAULT_ROTATABLE_LIFETIME_SECONDS, loginWithTokenStore, runDeviceFlow, tokenStoreOfFailure, type DeviceCodeView } from './device-flow.js';
import { AppError, toErrorPayload } from '../errors.js';
import { jobAccount } from './job-account.js';
import { handOverNotice, tokenStorePlacement } from './job-placement.js';
import type { ProfileAccess } from './profile-access.js';

export interface OAuthDeps {
  access: ProfileAccess;
  secrets: SecretStore;
  httpClient(settings: HttpSettings): HttpClient;
  now(): Date;
}

/**
 * The device grant behind the UI: start returns the code at once, polling goes on in the
 * background and reports through `deviceFlow` events; cancel stops it at any moment.
 */
export function oauthHandlers(deps: OAuthDeps) {
  const running = new Map<string, AbortController>();
  const { access } = deps;

  return {
    async startDeviceFlow(input: MethodParsedInput<'startDeviceFlow'>): Promise<MethodOutput<'startDeviceFlow'>> {
      const profile = access.profileById(input.profileId);
      const endpoints = resolveEndpoints(profile.endpoints);
      // The job's account reads the store: in its home, its own (as root), or staged with the commands that place it.
      const account = jobAccount(profile.runAs);
      const placement = tokenStorePlacement(account, input.tokenStoreDir);
      const flowId = randomUUID();
      const controller = new AbortController();
      const http = deps.httpClient({ proxyUrl: profile.network.proxyUrl || undefined, caFile: profile.network.caFile || undefined });
      running.set(flowId, controller);
      const emit = (payload: Omit<EventPayload<'deviceFlow'>, 'flowId'>) => access.emit('deviceFlow', { flowId, ...payload });

      let announce!: (code: DeviceCodeView) => void;
      const codeReady = new Promise<DeviceCodeView>((resolve) => (announce = resolve));
      let refreshTokenStored = false;
      const oauthSettings = (tokenStorePath: string, signedInAt: Date, userEmail: string | null): OAuthSettings => ({
        clientId: input.clientId,
        rotatable: input.rotatable,
        encoding: input.encoding,
        tokenStoreDir: input.tokenStoreDir,
        tokenStorePath,
        signedInAt: signedInAt.toISOString(),
        userEmail,
        refreshTokenExpiresAt: input.rotatable ? new Date(signedInAt.getTime() + DEFAULT_ROTATABLE_LIFETIME_SECONDS * 1000).toISOString() : null,
      });
      let tokenIssuedAt = deps.now();
      let placed: { tokenStore: string; handOverCommands: string[] } | null = null;
      const flow = runDeviceFlow({
        http,
        endpoints,
        clientId: input.clientId,
        tokenStoreDir: placement.writeDir,
        encoding: input.encoding,
        signal: controller.signal,
        onCode: announce,
        onStatus: (status) => {
          if (status.state === 'pending') emit({ state: 'pending', message: 'Waiting for you to sign in and approve…', interval: status.interval });
          else if (status.state === 'slow_down') emit({ state: 'slow_down', message: `Anaplan asked to poll less often: now every ${status.interval} s.`, interval: status.interval });
          else emit({ state: 'retrying', message: `Connection problem (${status.reason}); trying again…` });
        },
        // Recorded before the user and workspaces are read: if that fails, Test login still finds the client and the store.
        onTokenStored: async ({ tokenStore: written, refreshToken }) => {
          tokenIssuedAt = deps.now();
          placed = await placement.place(written);
          const { tokenStore } = placed;
          access.touchProfile(profile.id, (p) => ({ ...p, oauth: oauthSettings(tokenStore, tokenIssuedAt, null) }));
          if (input.rememberRefreshToken && deps.secrets.status().available) {
            await deps.secrets.set(refreshTokenKey(profile.id), refreshToken);
            refreshTokenStored = true;
          }
        },
      });

      // Whatever happens after the code was shown is reported as an event.
      void flow
        .then((result) => {
          const tokenStore = placed?.tokenStore ?? result.tokenStore;
          const handOverCommands = placed?.handOverCommands ?? [];
          const oauth = oauthSettings(tokenStore, tokenIssuedAt, result.login.user.email);
          access.touchProfile(profile.id, (p) => ({ ...p, oauth, lastLogin: { at: oauth.signedInAt ?? '', email: result.login.user.email } }));
          // The job acts as whoever approved the code: say so when that is not the user this connection was set up for.
          const entered = profile.email.trim().toLowerCase();
          const approvedBy = result.login.user.email;
          const warnings = [
            ...(entered && approvedBy.toLowerCase() !== entered ? [approvedByAnotherUser(approvedBy, profile.email)] : []),
            ...(handOverCommands.length > 0 ? [handOverNotice(account, handOverCommands)] : []),
          ];
          emit({ state: 'done', message: `Signed in as ${approvedBy}.`, result: { ...result.login, tokenStore, refreshTokenStored, handOverCommands, ...(warnings.length > 0 ? { warnings } : {}) } });
        })
        .catch((error: unknown) => {
          const payload = toErrorPayload(error);
          const tokenStore = tokenStoreOfFailure(error);
          emit({ state: 'error', message: payload.message, error: { code: payload.code, message: payload.message }, ...(tokenStore ? { tokenStore } : {}) });
        })
        .finally(() => {
          running.delete(flowId);
          void http.close();
        });

      // Errors before a code exists (bad client ID, network) answer the call itself.
      const code = await Promise.race([codeReady, flow.then(() => Promise.reject(new AppError('internal', 'The device flow ended before a code was shown.')))]);
      return {
        flowId,
        userCode: code.userCode,
        verificationUri: code.verificationUri,
        verificationUriComplete: code.verificationUriComplete,
        qrSvg: code.qrSvg,
        expiresAt: code.issuedAt + code.expiresIn * 1000,
        interval: code.interval,
      };
    },

    async cancelDeviceFlow({ flowId }: MethodParsedInput<'cancelDeviceFlow'>): Promise<MethodOutput<'cancelDeviceFlow'>> {
      const controller = running.get(flowId);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },

    async loginOAuth({ profileId }: MethodParsedInput<'loginOAuth'>): Promise<MethodOutput<'loginOAuth'>> {
      const profile = access.profileById(profileId);
      if (!profile.oauth) throw new AppError('bad_input', 'Sign in with the device grant first (the Device sign-in step).');
      const http = deps.httpClient({ proxyUrl: profile.network.proxyUrl || undefined, caFile: profile.network.caFile || undefined });
      try {
        const { rotated, ...login } = await loginWithTokenStore({
          http,
          endpoints: resolveEndpoints(profile.endpoints),
          clientId: profile.oauth.clientId,
          tokenStoreDir: profile.oauth.tokenStoreDir,
          encoding: profile.oauth.encoding,
          knownRotatable: profile.oauth.rotatable,
        });
        // The server showed that the client rotates: the export must pass --rotatable (anaplan-facts §4, §8).
        if (rotated && !profile.oauth.rotatable) access.touchProfile(profileId, (p) => (p.oauth ? { ...p, oauth: { ...p.oauth, rotatable: true } } : p));
        return login;
      } finally {
        await http.close();
      }
    },
  };
}

function approvedByAnotherUser(approvedBy: string, entered: string): string {
  return `The code was approved by ${approvedBy}, not by ${entered} whom this connection is for. The job will act as ${approvedBy}, with that user's access. If that is not intended, sign in again and approve as ${entered} (in a private browser window, so that no other Anaplan session is used).`;
}
