import { useState } from 'react';
import { DownloadButton } from '../components/DownloadButton';
import { StepFrame } from '../components/StepFrame';
import type { StepProps } from './props';

type Method = 'basic' | 'certificate' | 'oauth';

const METHODS: ReadonlyArray<{ id: Method; title: string; good: string[]; mind: string[] }> = [
  {
    id: 'basic',
    title: 'Basic (email and password)',
    good: ['Quickest to set up: nothing to order or register.'],
    mind: [
      'With single sign-on (SSO), the user must be an SSO exception user with an Anaplan password.',
      'Exception-user passwords expire (every 90 days in many tenants) and then scheduled jobs stop.',
      'Anaplan Connect puts the password on its java command line, visible in the process list while a job runs.',
    ],
  },
  {
    id: 'certificate',
    title: 'CA certificate',
    good: ['Suits SSO tenants and scheduled jobs: no password to expire.', 'Valid for up to about 3 years.'],
    mind: [
      'Needs an S/MIME (client) certificate from a CA Anaplan supports (e.g. Sectigo, DigiCert, GlobalSign, QuoVadis); a TLS server certificate will not do.',
      'A Tenant Administrator registers the certificate in Anaplan.',
    ],
  },
  {
    id: 'oauth',
    title: 'OAuth 2.0 device grant',
    good: ['No password in scripts; a refresh token is stored for the job.'],
    mind: [
      'A Tenant security administrator creates a "Device grant" OAuth client.',
      'Disabled for SSO users: the integration user must be an SSO exception user.',
      'Rotatable refresh tokens expire; non-rotatable ones do not.',
    ],
  },
];

/** Step 2: the auth method, with honest guidance. */
export function MethodStep({ api, profile, advance }: StepProps) {
  const [method, setMethod] = useState<Method>(profile.authMethod ?? 'basic');
  return (
    <StepFrame
      title="Sign-in method"
      intro={<p>How will Anaplan Connect sign in when the job runs? You can change this later.</p>}
      actions={
        <button type="button" className="primary" onClick={() => advance('credentials', { authMethod: method })}>
          Continue
        </button>
      }
    >
      <fieldset className="method-choice">
        <legend>Authentication method</legend>
        {METHODS.map((m) => (
          <label key={m.id} className={`method-card${method === m.id ? ' selected' : ''}`}>
            <input type="radio" name="method" value={m.id} checked={method === m.id} onChange={() => setMethod(m.id)} />
            <span className="method-title">
              {m.title}
            </span>
            <span className="method-detail">
              <span className="visually-hidden">Good: </span>
              {m.good.join(' ')}
            </span>
            <ul className="method-mind" aria-label="Keep in mind">
              {m.mind.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </label>
        ))}
      </fieldset>
      <p>
        No workspace yet, or an administrator to ask? Send them what this method needs:{' '}
        <DownloadButton name={`ask-the-anaplan-admin-${method}.md`} label="Download what to ask your Anaplan administrator" content={async () => ({ text: (await api.adminChecklist({ method })).markdown })} />
      </p>
    </StepFrame>
  );
}
