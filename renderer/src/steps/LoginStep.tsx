import { useEffect, useState } from 'react';
import { ApiError } from '../api';
import { BusyButton } from '../components/BusyButton';
import { Field } from '../components/Field';
import { Notice, Progress } from '../components/Notice';
import { StepFrame } from '../components/StepFrame';
import type { StepProps } from './props';

/** Step 4: a real login against Anaplan, then the workspaces and models to pick from. */
export function LoginStep({ api, profile, session, advance }: StepProps) {
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState('Signing in…');
  const [error, setError] = useState<ApiError | null>(null);
  const result = session.loginResult;
  const certificate = profile.authMethod === 'certificate';

  useEffect(() => api.on('progress', (payload) => payload.task === 'login' && setProgress(payload.message)), [api]);

  const test = async () => {
    setBusy(true);
    setError(null);
    session.setLoginResult(null);
    try {
      const outcome = certificate
        ? await api.loginCertificate({ profileId: profile.id, form: 'keystore', secret: session.keystorePassword || null })
        : profile.authMethod === 'oauth'
          ? await api.loginOAuth({ profileId: profile.id })
          : await api.loginBasic({ profileId: profile.id, password: session.password || undefined, rememberPassword: session.rememberPassword });
      session.setLoginResult(outcome);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError('internal', String(caught)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <StepFrame
      title="Test login"
      intro={
        <p>
          The assistant signs in as {profile.email} exactly as Anaplan Connect will
          {certificate ? ' (with the certificate from the keystore)' : profile.authMethod === 'oauth' ? ' (with the refresh token from its token store)' : ''}, then lists the
          workspaces and models this user can reach.
        </p>
      }
      actions={
        <>
          <BusyButton type="button" className={result ? '' : 'primary'} onClick={test} busy={busy}>
            {result ? 'Test again' : 'Test login'}
          </BusyButton>
          {result && (
            <button type="button" className="primary" onClick={() => advance('target')}>
              Continue
            </button>
          )}
        </>
      }
    >
      {certificate && (
        <Field
          label="Keystore password"
          type="password"
          autoComplete="off"
          value={session.keystorePassword}
          onChange={(e) => session.setKeystorePassword(e.target.value)}
          hint={profile.certificate ? `For ${profile.certificate.keystorePath}. Leave empty if it is in your keychain.` : undefined}
        />
      )}
      {busy && <Progress label={progress} />}
      {error && (
        <Notice kind="error" title="Login failed">
          {error.message}
          {!certificate && (error.code === 'bad_credentials' || error.code === 'sso_user') && (
            <p>
              <button type="button" className="link-button" onClick={() => advance('credentials')}>
                Change the password
              </button>{' '}
              or{' '}
              <button type="button" className="link-button" onClick={() => advance('account')}>
                check the account and region
              </button>
              .
            </p>
          )}
          {error.code === 'region_mismatch' && (
            <p>
              <button type="button" className="link-button" onClick={() => advance('account')}>
                Choose another region
              </button>
            </p>
          )}
        </Notice>
      )}
      {result && (
        <Notice kind="success" title="Login OK">
          Signed in as {[result.user.firstName, result.user.lastName].filter(Boolean).join(' ') || result.user.email} ({result.user.email}).{' '}
          {result.workspaces.length} workspace{result.workspaces.length === 1 ? '' : 's'} found.
          {result.passwordStored && ' The password is stored in your system keychain.'}
        </Notice>
      )}
      {result?.warnings?.map((warning) => (
        <Notice key={warning} kind="warning" title="Before the job runs">
          {warning}
        </Notice>
      ))}
    </StepFrame>
  );
}
