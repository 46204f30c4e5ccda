import { useState, type FormEvent } from 'react';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { StepFrame } from '../components/StepFrame';
import type { StepProps } from './props';

/** Step 3 (Basic): the password, held in memory only unless a real keychain can keep it. */
export function CredentialsStep({ profile, info, session, advance }: StepProps) {
  const [error, setError] = useState<string | null>(null);
  const canRemember = info.secrets.available;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!session.password && !profile.hasStoredPassword) {
      setError('Enter the password of the Anaplan user.');
      return;
    }
    void advance('login');
  };
  return (
    <StepFrame title="Credentials" intro={<p>The password of <strong>{profile.email}</strong>. It is used to test the login; it is not written into scripts unless you choose that at the export step.</p>}>
      <form onSubmit={submit} noValidate>
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          value={session.password}
          onChange={(e) => session.setPassword(e.target.value)}
          error={error}
          hint={profile.hasStoredPassword ? 'A password is stored in your system keychain; leave this empty to use it.' : undefined}
        />
        <div className="field checkbox">
          <input id="remember" type="checkbox" checked={session.rememberPassword && canRemember} disabled={!canRemember} onChange={(e) => session.setRememberPassword(e.target.checked)} />
          <label htmlFor="remember">Remember the password in the system keychain</label>
        </div>
        {!canRemember && <Notice kind="info">{info.secrets.reason}</Notice>}
        <Notice kind="warning" title="Passwords expire">
          Exception-user passwords often expire (every 90 days in many tenants); a scheduled Basic job then stops. Note when you set this password, or consider
          a CA certificate.
        </Notice>
        <div className="actions">
          <button type="submit" className="primary">
            Continue
          </button>
        </div>
      </form>
    </StepFrame>
  );
}
