import { useEffect, useMemo, useRef, useState } from 'react';
import type { AssistantApi } from '../../main/contract';
import { expiriesOfProfiles } from '../../main/core/expiry';
import { ApiError } from './api';
import { ExpiryList, type Expiry } from './components/ExpiryList';
import { Notice } from './components/Notice';
import { DownloadButton } from './components/DownloadButton';
import { StepFrame } from './components/StepFrame';
import { stepLabel, type AppInfo, type Profile } from './types';

/** The start page: resume a half-finished setup (a CSR can wait weeks), or start a new one. */
export function StartPage({
  info,
  profiles,
  onResume,
  onNew,
  onDelete,
  onRenew,
  api,
}: {
  info: AppInfo;
  profiles: Profile[];
  onResume: (id: string) => void;
  onNew: () => void;
  onDelete: (id: string) => Promise<void>;
  /** Opens the step where the expiring credential is made anew. */
  onRenew?: (id: string) => void;
  /** The core's getExpiries; without it the same pure rules run here on the profiles shown. */
  api?: Partial<Pick<AssistantApi, 'getExpiries' | 'adminChecklist'>>;
}) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const local = useMemo(() => expiriesOfProfiles(profiles, new Date()), [profiles]);
  const [fromCore, setFromCore] = useState<Expiry[] | null>(null);
  const getExpiries = api?.getExpiries;
  useEffect(() => {
    if (!getExpiries) return;
    let current = true;
    getExpiries({}).then(
      ({ expiries }) => current && setFromCore(expiries),
      () => current && setFromCore(null),
    );
    return () => {
      current = false;
    };
  }, [getExpiries, profiles]);
  const expiries = fromCore ?? local;
  const [error, setError] = useState<string | null>(null);
  // Focus never falls to the page: "Keep" when asked to confirm, the Delete button again after Keep or Esc,
  // the list (or, with none left, "New connection") once the connection is gone.
  const keepButton = useRef<HTMLButtonElement>(null);
  const listHeading = useRef<HTMLHeadingElement>(null);
  const focusAfter = useRef<string | null>(null);
  useEffect(() => {
    if (confirming) keepButton.current?.focus();
  }, [confirming]);
  useEffect(() => {
    const target = focusAfter.current;
    if (target === null) return;
    focusAfter.current = null;
    const element = target === 'list' ? (listHeading.current ?? document.querySelector<HTMLElement>('.primary')) : [...document.querySelectorAll<HTMLElement>('[data-delete-for]')].find((button) => button.dataset.deleteFor === target);
    element?.focus();
  });
  const keep = (id: string) => {
    focusAfter.current = id;
    setConfirming(null);
  };
  const remove = async (id: string) => {
    try {
      await onDelete(id);
      focusAfter.current = 'list';
      setConfirming(null);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : String(caught));
    }
  };
  return (
    <StepFrame
      title="Welcome"
      intro={
        <p>
          This assistant takes you from “we are starting an Anaplan project” to Anaplan Connect jobs that run unattended: choose how to sign in, test the login, pick the model
          and export ready scripts.
        </p>
      }
      actions={
        <button type="button" className="primary" onClick={onNew}>
          New connection
        </button>
      }
    >
      {info.frontDoor === 'browser' && !info.secrets.available && <Notice kind="info">{info.secrets.reason}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      <ExpiryList expiries={expiries} onRenew={onRenew} />
      {profiles.length > 0 && (
        <section aria-labelledby="profiles-heading">
          <h3 id="profiles-heading" tabIndex={-1} ref={listHeading}>
            Your connections
          </h3>
          <ul className="profile-list">
            {profiles.map((profile) => (
              <li key={profile.id} className="profile-card">
                <div>
                  <strong>{profile.name}</strong>
                  <div className="hint">
                    {profile.email || 'no user yet'} · {profile.endpoints.region ?? 'custom URLs'} · next: {stepLabel(profile.step, profile.authMethod)}
                  </div>
                  {profile.certificateRequests
                    .filter((r) => r.status === 'pending')
                    .map((r) => (
                      <div className="hint" key={r.id}>
                        Certificate request from {new Date(r.createdAt).toLocaleDateString()} waiting for the certificate ({r.email})
                      </div>
                    ))}
                </div>
                <div className="actions">
                  <button type="button" onClick={() => onResume(profile.id)} aria-label={`Resume ${profile.name}`}>
                    Resume
                  </button>
                  {confirming === profile.id ? (
                    <span role="group" aria-label={`Delete ${profile.name}?`} onKeyDown={(e) => e.key === 'Escape' && keep(profile.id)}>
                      <button type="button" className="danger" onClick={() => remove(profile.id)} aria-label={`Really delete ${profile.name}`}>
                        Delete for good
                      </button>
                      <button type="button" onClick={() => keep(profile.id)} ref={keepButton}>
                        Keep
                      </button>
                    </span>
                  ) : (
                    <button type="button" onClick={() => setConfirming(profile.id)} aria-label={`Delete ${profile.name}`} data-delete-for={profile.id}>
                      Delete
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
          <p className="hint">Deleting a connection forgets its settings and stored password; files you exported stay where they are.</p>
        </section>
      )}
      {api?.adminChecklist && <AdminChecklists adminChecklist={api.adminChecklist} />}
    </StepFrame>
  );
}

/** No workspace yet? What to ask the Anaplan administrator for, per method, to send as it is. */
function AdminChecklists({ adminChecklist }: { adminChecklist: AssistantApi['adminChecklist'] }) {
  const methods = [
    ['oauth', 'OAuth 2.0 device grant'],
    ['certificate', 'CA certificate'],
    ['basic', 'Basic (user and password)'],
  ] as const;
  return (
    <section aria-labelledby="admin-checklist-heading">
      <h3 id="admin-checklist-heading">No workspace yet?</h3>
      <p>Download what to ask your Anaplan administrator for (an exception user, the OAuth client, the certificate registration, the IP allowlist, workspace access), for the way the job will sign in:</p>
      <div className="actions">
        {methods.map(([method, label]) => (
          <DownloadButton key={method} name={`ask-the-anaplan-admin-${method}.md`} label={label} content={async () => ({ text: (await adminChecklist({ method })).markdown })} />
        ))}
      </div>
    </section>
  );
}
