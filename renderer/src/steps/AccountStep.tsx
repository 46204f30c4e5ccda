import { useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { BusyButton } from '../components/BusyButton';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { StepFrame } from '../components/StepFrame';
import type { AppInfo, Profile, Region } from '../types';
import type { ProfileDraft } from './props';
import { useFocusFirstError } from '../lib/focus-first-error';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CUSTOM = 'custom';

/** Step 1: which Anaplan account, in which region (or custom URLs for proxies, new regions and tests). */
export function AccountStep({ profile, info, regions, onSave }: { profile: Profile | null; info: AppInfo; regions: Region[]; onSave: (draft: ProfileDraft) => Promise<void> }) {
  const endpoints = profile?.endpoints ?? { region: 'us1' };
  const [name, setName] = useState(profile?.name ?? '');
  const [email, setEmail] = useState(profile?.email ?? '');
  const [region, setRegion] = useState(endpoints.authUrl || endpoints.apiUrl ? CUSTOM : (endpoints.region ?? 'us1'));
  const [authUrl, setAuthUrl] = useState(endpoints.authUrl ?? '');
  const [apiUrl, setApiUrl] = useState(endpoints.apiUrl ?? '');
  // anaplan-facts §1: the OAuth host differs from the auth host in every region, so a custom one has its own field.
  const [oauthUrl, setOauthUrl] = useState(endpoints.oauthUrl ?? '');
  const [proxyUrl, setProxyUrl] = useState(profile?.network.proxyUrl ?? '');
  const [caFile, setCaFile] = useState(profile?.network.caFile ?? '');
  // The account cron runs the job as (anaplan-facts §7): what the job reads is made for it. Another account can be named on Linux and macOS.
  const canNameAccount = info.platform !== 'win32';
  const [runAs, setRunAs] = useState(profile?.runAs || info.userName);
  const [errors, setErrors] = useState<Record<string, string>>({});
  useFocusFirstError(errors);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (!name.trim()) found.name = 'Give this connection a name, e.g. "Production integration".';
    if (!EMAIL.test(email.trim())) found.email = 'Enter the Anaplan user\u2019s email address, e.g. integration@company.com.';
    if (region === CUSTOM && !authUrl.trim()) found.authUrl = 'Enter the auth URL, e.g. https://auth.anaplan.com.';
    if (region === CUSTOM && !apiUrl.trim()) found.apiUrl = 'Enter the API URL, e.g. https://api.anaplan.com.';
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    setFailure(null);
    try {
      await onSave({
        ...(profile ? { id: profile.id } : {}),
        name: name.trim(),
        email: email.trim(),
        endpoints: region === CUSTOM ? { authUrl: authUrl.trim(), apiUrl: apiUrl.trim(), oauthUrl: oauthUrl.trim() || authUrl.trim() } : { region },
        network: { ...(proxyUrl.trim() ? { proxyUrl: proxyUrl.trim() } : {}), ...(caFile.trim() ? { caFile: caFile.trim() } : {}) },
        runAs: !canNameAccount || runAs.trim() === info.userName ? '' : runAs.trim(),
        step: 'method',
      });
    } catch (error) {
      const field = error instanceof ApiError ? error.fields.find((problem) => problem.field === 'runAs') : undefined;
      if (field) setErrors({ runAs: field.message });
      else setFailure(error instanceof ApiError ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  const selected = regions.find((r) => r.id === region);
  return (
    <StepFrame
      title="Account and region"
      intro={<p>One connection per Anaplan account (Boomi and Anaplan Connect need one per user). Use the integration user that scheduled jobs will run as.</p>}
    >
      <form onSubmit={submit} noValidate>
        <Field label="Connection name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} autoComplete="off" required />
        <Field
          label="Anaplan user (email)"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
          autoComplete="username"
          hint="If your tenant uses single sign-on, this should be an SSO exception user (it signs in with a password)."
          required
        />
        <div className="field">
          <label htmlFor="region">Region</label>
          <div className="hint" id="region-hint">
            The address you use to sign in to Anaplan tells your region; ask your Tenant Administrator if unsure.
          </div>
          <select id="region" aria-describedby="region-hint" value={region} onChange={(e) => setRegion(e.target.value)}>
            {regions.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
            <option value={CUSTOM}>Custom URLs (proxy, new region, test system)</option>
          </select>
          {selected && (
            <p className="hint">
              API <code>{selected.apiUrl}</code> · auth <code>{selected.authUrl}</code>
            </p>
          )}
        </div>
        {canNameAccount && (
          <Field
            label="Account that runs the job"
            value={runAs}
            onChange={(e) => setRunAs(e.target.value)}
            error={errors.runAs}
            autoComplete="off"
            spellCheck={false}
            hint={`The account on the integration server that cron runs the job as, such as svc-anaplan (yours is ${info.userName}). The token store, keystore-access.txt and the job folder are made for it.`}
          />
        )}
        {region === CUSTOM && (
          <fieldset>
            <legend>Custom URLs</legend>
            <Field label="Auth URL" value={authUrl} onChange={(e) => setAuthUrl(e.target.value)} error={errors.authUrl} placeholder="e.g. https://auth.anaplan.com" />
            <Field label="API URL" value={apiUrl} onChange={(e) => setApiUrl(e.target.value)} error={errors.apiUrl} placeholder="e.g. https://api.anaplan.com" />
            <Field
              label="OAuth 2.0 host (for the device grant)"
              value={oauthUrl}
              onChange={(e) => setOauthUrl(e.target.value)}
              error={errors.oauthUrl}
              hint="The OAuth 2.0 host, such as https://us1a.app.anaplan.com. Empty: the auth URL."
            />
          </fieldset>
        )}
        <details>
          <summary>Network: proxy and certificates</summary>
          <Field
            label="Proxy URL (optional)"
            value={proxyUrl}
            onChange={(e) => setProxyUrl(e.target.value)}
            placeholder="e.g. http://proxy.example.com:8080"
            hint="Leave empty to use HTTPS_PROXY from the environment, or no proxy. A proxy password is never stored: put it in HTTPS_PROXY instead."
          />
          <Field
            label="Extra CA certificates (PEM file, optional)"
            value={caFile}
            onChange={(e) => setCaFile(e.target.value)}
            placeholder="e.g. /etc/ssl/certs/company-proxy-ca.pem"
            hint="For a TLS-inspecting proxy: the path of your organisation's CA certificate on the machine running the assistant."
          />
        </details>
        {failure && <Notice kind="error">{failure}</Notice>}
        <div className="actions">
          <BusyButton type="submit" className="primary" busy={busy}>
            {busy ? 'Saving…' : 'Continue'}
          </BusyButton>
        </div>
      </form>
    </StepFrame>
  );
}
