import { useEffect, useRef, useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import type { EventPayload, MethodOutput } from '../../../main/contract';
import { ApiError } from '../api';
import { BusyButton } from '../components/BusyButton';
import { CopyButton } from '../components/CopyButton';
import { Field } from '../components/Field';
import { Notice, Progress } from '../components/Notice';
import { StepFrame } from '../components/StepFrame';
import { slug } from '../lib/slug';
import type { StepProps } from './props';
import { HandOver } from '../components/HandOver';
import { useJobAccount, type JobAccountView } from '../lib/job-account';

type DeviceCode = MethodOutput<'startDeviceFlow'>;
type FlowEvent = EventPayload<'deviceFlow'>;

const CLIENT_ID = /^[A-Za-z0-9._~-]{8,128}$/;

/** Step 3 (OAuth): the device grant done properly, leaving a refresh token Anaplan Connect reads unattended. */
export function OAuthStep({ api, info, profile, session, advance }: StepProps) {
  const saved = profile.oauth;
  const [clientId, setClientId] = useState(saved?.clientId ?? '');
  const [rotatable, setRotatable] = useState(saved?.rotatable ?? false);
  // The job's account reads the store: for another account its home (where Anaplan Connect looks), unless the person chose a folder.
  const account = useJobAccount(api, profile.runAs);
  const [chosenDir, setTokenStoreDir] = useState<string | null>(saved?.tokenStoreDir ?? null);
  const tokenStoreDir = chosenDir ?? (account && !account.current ? account.tokenStoreDir : `${info.homeDir}/anaplan-setup/${slug(profile.name)}/oauth`);
  const [json, setJson] = useState(saved?.encoding === 'json');
  const [remember, setRemember] = useState(false);
  const [clientError, setClientError] = useState<string | null>(null);
  const [code, setCode] = useState<DeviceCode | null>(null);
  // "a new code" only once a code was issued: an error before that (the network, a refused client) is tried again as it was.
  const [codeIssued, setCodeIssued] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  /** Where the refresh token was saved when a later step of the sign-in failed: no new code is needed. */
  const [savedStore, setSavedStore] = useState<string | null>(null);
  const [done, setDone] = useState<FlowEvent['result'] | null>(null);
  const [starting, setStarting] = useState(false);
  const flowId = useRef<string | null>(null);
  const startButton = useRef<HTMLButtonElement>(null);

  useEffect(
    () =>
      api.on('deviceFlow', (event) => {
        // Events of a replaced or cancelled flow are old news; a cancel is the person's own doing.
        if (event.flowId !== flowId.current || event.error?.code === 'cancelled') return;
        if (event.state === 'done' && event.result) {
          setDone(event.result);
          // Not taken as the login test: the first Test login signs in with the stored refresh token, as the job will (and shows a rotating client).
          session.setLoginResult(null);
          setCode(null);
        } else if (event.state === 'error') {
          setError(new ApiError(event.error?.code ?? 'internal', event.message));
          setSavedStore(event.tokenStore ?? null);
          setCode(null);
        }
        setStatus(event.message);
      }),
    [api, session],
  );

  // Leaving the step stops a flow that is still waiting.
  useEffect(() => () => void (flowId.current && api.cancelDeviceFlow({ flowId: flowId.current })), [api]);

  const start = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!CLIENT_ID.test(clientId.trim())) {
      setClientError('Enter the client ID of the Device grant OAuth client (letters, digits, - . _ ~; Anaplan shows 32 hexadecimal characters).');
      return;
    }
    setClientError(null);
    setError(null);
    setSavedStore(null);
    setDone(null);
    setStarting(true);
    const previous = flowId.current;
    flowId.current = null;
    if (previous) await api.cancelDeviceFlow({ flowId: previous });
    try {
      const next = await api.startDeviceFlow({ profileId: profile.id, clientId: clientId.trim(), rotatable, tokenStoreDir, encoding: json ? 'json' : 'form', rememberRefreshToken: remember });
      flowId.current = next.flowId;
      setCode(next);
      setCodeIssued(true);
      setStatus('Waiting for you to sign in and approve…');
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError('internal', String(caught)));
    } finally {
      setStarting(false);
    }
  };

  const cancel = async () => {
    const previous = flowId.current;
    flowId.current = null;
    if (previous) await api.cancelDeviceFlow({ flowId: previous });
    // The form comes back in place of the code panel that had focus: its button takes it.
    flushSync(() => {
      setCode(null);
      setStatus('Cancelled.');
    });
    startButton.current?.focus();
  };

  return (
    <StepFrame
      title="Device sign-in"
      intro={<p>Sign in once in a browser, on any device; the assistant then writes the refresh token where Anaplan Connect finds it, so scheduled jobs need no console.</p>}
      actions={
        done ? (
          // The code panel that had focus is gone once the sign-in is done: focus moves on to what comes next.
          <button type="button" className="primary" onClick={() => advance('login')} autoFocus>
            Continue: test the login
          </button>
        ) : undefined
      }
    >
      <details open={!saved}>
        <summary>Before you start</summary>
        <ul>
          <li>
            A Tenant security administrator creates the OAuth client: Administration › Security › OAuth Clients › Enable OAuth › New, type “Device grant” (a callback URL is
            required but not used). Device clients have no secret: you need only its client ID.
          </li>
          <li>The device grant is disabled for SSO users: sign in as an SSO exception user, one with an Anaplan password.</li>
          <li>Ask whether the client’s refresh tokens are rotatable: then every run stores a new one, and a job that does not run within the token’s lifetime (12 hours by default) must sign in again.</li>
        </ul>
      </details>
      {!done && !code && (
        <form onSubmit={start} noValidate>
          <Field label="OAuth client ID" value={clientId} onChange={(e) => setClientId(e.target.value)} error={clientError} autoComplete="off" spellCheck={false} />
          <div className="field checkbox">
            <input id="rotatable" type="checkbox" checked={rotatable} onChange={(e) => setRotatable(e.target.checked)} />
            <label htmlFor="rotatable">This client’s refresh tokens are rotatable</label>
          </div>
          <Field
            label="Folder for Anaplan Connect’s token store"
            value={tokenStoreDir}
            onChange={(e) => setTokenStoreDir(e.target.value)}
            hint={tokenStoreHint(info.userName, account)}
          />
          <div className="field checkbox">
            <input id="remember-refresh" type="checkbox" checked={remember && info.secrets.available} disabled={!info.secrets.available} onChange={(e) => setRemember(e.target.checked)} />
            <label htmlFor="remember-refresh">Also keep the refresh token in the system keychain</label>
          </div>
          <details>
            <summary>Advanced</summary>
            <div className="field checkbox">
              <input id="json-bodies" type="checkbox" checked={json} onChange={(e) => setJson(e.target.checked)} />
              <label htmlFor="json-bodies">Send JSON request bodies (only if the server refuses the standard form encoding)</label>
            </div>
          </details>
          <div className="actions">
            <BusyButton type="submit" className="primary" busy={starting} ref={startButton}>
              {starting ? 'Asking Anaplan for a code…' : 'Start sign-in'}
            </BusyButton>
          </div>
        </form>
      )}
      {code && <CodePanel api={api} code={code} status={status} onNewCode={() => void start()} onCancel={cancel} />}
      {error && (
        <Notice kind="error" title="The sign-in did not complete">
          <p>{error.message}</p>
          {(error.code === 'access_denied' || /sso|single sign/i.test(error.message)) && (
            <p>If this user signs in with single sign-on, ask the Tenant Administrator to make it an SSO exception user (with an Anaplan password): the device grant is disabled for SSO users.</p>
          )}
          {/* A failed flow removes the code panel that had focus: focus moves to the way on. */}
          {savedStore ? (
            <div className="actions">
              <button type="button" className="primary" onClick={() => advance('login')} autoFocus>
                Continue: test the login
              </button>
              <button type="button" onClick={() => void start()}>
                Try again with a new code
              </button>
            </div>
          ) : (
            <button type="button" onClick={() => void start()} autoFocus>
              {codeIssued ? 'Try again with a new code' : 'Try again'}
            </button>
          )}
        </Notice>
      )}
      {done && (
        <Notice kind="success" title="Signed in">
          Signed in as {done.user.email}. Anaplan Connect’s token store: <code>{done.tokenStore}</code>
          {done.refreshTokenStored && ' The refresh token is also in your system keychain.'}
        </Notice>
      )}
      {done && account && <HandOver account={account.name} commands={done.handOverCommands ?? []} />}
    </StepFrame>
  );
}

function tokenStoreHint(me: string, account: JobAccountView | null): string {
  const where = 'The exported script sets AC_OAUTH_KEYSTORE_DIR to this folder.';
  if (!account || account.current) return `${where} It is written as ${me}, the account that runs the job.`;
  if (account.canHandOver) return `${where} The job runs as ${account.name}: the token store is made its own (mode 0600).`;
  return `${where} The job runs as ${account.name}, which this assistant (running as ${me}) cannot give files: the store is kept aside and you get the commands that place it.`;
}

/** The code, big, with copy, open, a QR code for a phone, a countdown and a new-code button; status is announced. */
function CodePanel({ api, code, status, onNewCode, onCancel }: { api: StepProps['api']; code: DeviceCode; status: string | null; onNewCode: () => void; onCancel: () => void }) {
  const remaining = useCountdown(code.expiresAt);
  // The panel replaces the form whose button had focus: focus moves to the code's heading.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const url = code.verificationUriComplete ?? code.verificationUri;
  const [openProblem, setOpenProblem] = useState<string | null>(null);
  const open = async () => {
    setOpenProblem(null);
    try {
      const { opened } = await api.openExternal({ url });
      if (!opened && !window.open(url, '_blank', 'noopener,noreferrer')) setOpenProblem(`The sign-in page could not be opened here (no browser this assistant may start). Open ${url} on any device and enter the code.`);
    } catch (caught) {
      setOpenProblem(`${caught instanceof Error ? caught.message : String(caught)} Open ${url} yourself and enter the code.`);
    }
  };
  return (
    <section className="device-code" aria-labelledby="device-code-heading">
      <h3 id="device-code-heading" tabIndex={-1} ref={heading}>
        Enter this code at {new URL(code.verificationUri).host}
      </h3>
      <p className="user-code" aria-label={`Code: ${code.userCode.split('').join(' ')}`}>
        {code.userCode}
      </p>
      <p className="verification-url">
        Sign-in page: <code>{code.verificationUri}</code>
      </p>
      <div className="actions">
        <CopyButton text={code.userCode} label="Copy code" />
        {/* The core refuses a reply whose sign-in page is not on the OAuth host or Anaplan's: this one may be opened. */}
        <button type="button" className="primary" onClick={open}>
          Open sign-in page
        </button>
      </div>
      {openProblem && <Notice kind="warning">{openProblem}</Notice>}
      <div className="qr">
        <img src={`data:image/svg+xml;base64,${btoa(code.qrSvg)}`} alt={`QR code of ${url}`} width={160} height={160} />
        <p className="hint">Or scan this with a phone to open the sign-in page there.</p>
      </div>
      <p className="countdown" aria-live="off">
        {remaining > 0 ? `The code expires in ${Math.floor(remaining / 60)}:${String(remaining % 60).padStart(2, '0')}.` : 'The code has expired.'}
      </p>
      <div role="status" aria-live="polite">
        {status && <Progress label={status} />}
      </div>
      <div className="actions">
        <button type="button" onClick={onNewCode}>
          Get a new code
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}

function useCountdown(until: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return Math.max(0, Math.round((until - now) / 1000));
}

