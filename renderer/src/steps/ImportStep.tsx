import { useState } from 'react';
import { ApiError } from '../api';
import { BusyButton } from '../components/BusyButton';
import { HandOver } from '../components/HandOver';
import { DownloadButton } from '../components/DownloadButton';
import { Field } from '../components/Field';
import { Notice, Progress } from '../components/Notice';
import { StepFrame } from '../components/StepFrame';
import type { MethodInput, MethodOutput } from '../../../main/contract';
import type { StepProps } from './props';
import { useFocusFirstError } from '../lib/focus-first-error';

type Facts = MethodOutput<'previewCertificateImport'>;
type KeyChoice = MethodInput<'previewCertificateImport'>['key'];

/** Step 4 (certificate): whatever the CA sent, checked against Anaplan's rules, turned into certificate.pem, chain.pem and keystore.p12. */
export function ImportStep({ api, info, profile, session, advance }: StepProps) {
  const requests = profile.certificateRequests;
  const [sourceKind, setSourceKind] = useState<'text' | 'path' | 'upload'>('text');
  // In the browser on a remote server the CA's reply is on the person's own machine: it is sent up as bytes.
  const [upload, setUpload] = useState<{ name: string; base64: string } | null>(null);
  const [text, setText] = useState('');
  const [path, setPath] = useState('');
  const [filePassword, setFilePassword] = useState('');
  const [keyKind, setKeyKind] = useState<string>(requests.at(-1)?.id ?? 'file');
  const [keyPath, setKeyPath] = useState('');
  const [keyPassphrase, setKeyPassphrase] = useState('');
  const [facts, setFacts] = useState<Facts | null>(null);
  const [alias, setAlias] = useState(profile.certificate?.alias ?? 'anaplan-connect');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [outDir, setOutDir] = useState(defaultOutDir());
  const [remember, setRemember] = useState(false);
  const [overwrite, setOverwrite] = useState(false);
  const [conflict, setConflict] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  useFocusFirstError(errors);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [done, setDone] = useState<MethodOutput<'importCertificate'> | null>(null);

  function defaultOutDir(): string {
    const request = requests.at(-1);
    if (request) return request.privateKeyPath.replace(/[\\/][^\\/]*$/, '');
    return `${info.homeDir}/anaplan-setup/certificate`;
  }

  const selectedRequest = requests.find((r) => r.id === keyKind);
  const keyChoice = (): KeyChoice => {
    if (keyKind === 'bundle') return { fromBundle: true };
    if (selectedRequest) return { requestId: selectedRequest.id, passphrase: selectedRequest.keyEncrypted ? keyPassphrase : null };
    return { path: keyPath, passphrase: keyPassphrase || null };
  };
  const source = () => (sourceKind === 'text' ? { text } : sourceKind === 'upload' ? { upload: upload ?? { name: '', base64: '' } } : { path });
  const chooseUpload = async (file: File | undefined) => {
    if (!file) return setUpload(null);
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    setUpload({ name: file.name, base64: btoa(binary) });
  };
  const base = () => ({ profileId: profile.id, source: source(), key: keyChoice(), filePassword: filePassword || null });

  const run = async (label: string, work: () => Promise<void>) => {
    setBusy(label);
    setFailure(null);
    try {
      await work();
    } catch (caught) {
      const error = caught instanceof ApiError ? caught : new ApiError('internal', String(caught));
      setFailure(error);
      setErrors(Object.fromEntries(error.fields.map((f) => [f.field, f.message])));
      setConflict(error.code === 'file_exists');
    } finally {
      setBusy(null);
    }
  };

  const check = () =>
    run('Checking the certificate…', async () => {
      setFacts(null);
      setFacts(await api.previewCertificateImport(base()));
    });

  const write = () => {
    const found: Record<string, string> = {};
    if (password.length < 6) found.keystorePassword = 'The keystore password needs at least 6 characters (Java\u2019s minimum).';
    else if (password !== confirm) found.confirm = 'The two passwords differ.';
    setErrors(found);
    if (Object.keys(found).length) return;
    void run('Writing the certificate and the keystore…', async () => {
      const result = await api.importCertificate({ ...base(), outDir, alias, keystorePassword: password, overwrite, rememberSecrets: remember });
      session.setKeystorePassword(password);
      setDone(result);
    });
  };

  if (done) {
    // A frame of its own (the key), so its heading takes focus: the Import button that had it is gone.
    return (
      <StepFrame
        key="imported"
        title="Import certificate"
        actions={
          <button type="button" className="primary" onClick={() => advance('login')}>
            Continue: test the login
          </button>
        }
      >
        <Notice kind="success" title="Certificate imported">
          <ul className="file-list">
            <li>
              <code>{done.certificatePath}</code>: the certificate alone, for Anaplan Connect’s -certificate and for Anaplan’s admin page.
            </li>
            {done.chainPath && (
              <li>
                <code>{done.chainPath}</code>: the CA’s intermediate and root certificates.
              </li>
            )}
            <li>
              <code>{done.keystorePath}</code>: key and certificates under the alias <code>{done.alias}</code> (Anaplan Connect’s -keystore, Boomi’s certificate bundle and
              Private Key Alias).
            </li>
          </ul>
          {done.secretsStored && <p>The keystore password is stored in your system keychain.</p>}
          <div className="actions">
            <DownloadButton name="certificate.pem" content={() => api.downloadFile({ profileId: profile.id, file: 'certificate' })} />
            {done.chainPath && <DownloadButton name="chain.pem" content={() => api.downloadFile({ profileId: profile.id, file: 'chain' })} />}
          </div>
        </Notice>
        {profile.runAs && <HandOver account={profile.runAs} commands={done.handOverCommands} />}
        <FindingList findings={done.facts.findings} />
        <h3>Before the login works</h3>
        <ol className="next-steps">
          <li>
            A Tenant Administrator uploads <code>certificate.pem</code> in Anaplan: Administration › Security › Certificates. Upload that file only: uploading the chain gives the
            misleading error “email should not be blank [null]”.
          </li>
          <li>Then test the login here.</li>
        </ol>
      </StepFrame>
    );
  }

  return (
    <StepFrame
      title="Import certificate"
      intro={<p>Paste or choose what your CA sent: PEM (even with text around it), DER (.cer/.crt), PKCS#7 (.p7b) or PKCS#12 (.p12/.pfx). The assistant finds your certificate in it and checks it against Anaplan’s rules before anything is written.</p>}
    >
      <fieldset>
        <legend>The certificate</legend>
        <div className="field radio">
          <input id="source-text" type="radio" name="source" checked={sourceKind === 'text'} onChange={() => setSourceKind('text')} />
          <label htmlFor="source-text">Paste it (PEM text)</label>
        </div>
        <div className="field radio">
          <input id="source-path" type="radio" name="source" checked={sourceKind === 'path'} onChange={() => setSourceKind('path')} />
          <label htmlFor="source-path">A file on {info.frontDoor === 'browser' ? 'the machine running the assistant' : 'this computer'}</label>
        </div>
        {info.frontDoor === 'browser' && (
          <div className="field radio">
            <input id="source-upload" type="radio" name="source" checked={sourceKind === 'upload'} onChange={() => setSourceKind('upload')} />
            <label htmlFor="source-upload">A file on this computer (upload: PEM, DER, P7B or PFX, as the CA sent it)</label>
          </div>
        )}
        {sourceKind === 'upload' ? (
          <div className="field">
            <label htmlFor="cert-upload">File from your CA</label>
            <input id="cert-upload" type="file" accept=".pem,.crt,.cer,.der,.p7b,.p7c,.p12,.pfx,.txt" onChange={(e) => void chooseUpload(e.target.files?.[0])} />
            {upload && <p className="hint">Chosen: {upload.name}</p>}
          </div>
        ) : sourceKind === 'text' ? (
          <div className="field">
            <label htmlFor="cert-text">Certificate (PEM)</label>
            <textarea id="cert-text" rows={8} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} placeholder="-----BEGIN CERTIFICATE-----" />
          </div>
        ) : (
          <div className="field-row">
            <Field label="Certificate file" value={path} onChange={(e) => setPath(e.target.value)} error={errors.path} />
            {info.canChooseFolder && (
              <button type="button" onClick={() => run('Choosing a file…', async () => setPath((await api.chooseFile({ title: 'The certificate your CA sent' })).path ?? path))}>
                Browse…
              </button>
            )}
          </div>
        )}
        <Field label="File password (PKCS#12 only)" type="password" autoComplete="off" value={filePassword} onChange={(e) => setFilePassword(e.target.value)} />
      </fieldset>
      <fieldset>
        <legend>Its private key</legend>
        {requests.map((r) => (
          <div className="field radio" key={r.id}>
            <input id={`key-${r.id}`} type="radio" name="key" checked={keyKind === r.id} onChange={() => setKeyKind(r.id)} />
            <label htmlFor={`key-${r.id}`}>
              The key of the request from {new Date(r.createdAt).toLocaleDateString()} ({r.email}) <span className="hint">{r.privateKeyPath}</span>
            </label>
          </div>
        ))}
        <div className="field radio">
          <input id="key-file" type="radio" name="key" checked={keyKind === 'file'} onChange={() => setKeyKind('file')} />
          <label htmlFor="key-file">A key file (PKCS#8 PEM)</label>
        </div>
        <div className="field radio">
          <input id="key-bundle" type="radio" name="key" checked={keyKind === 'bundle'} onChange={() => setKeyKind('bundle')} />
          <label htmlFor="key-bundle">The key is inside the PKCS#12 file</label>
        </div>
        {keyKind === 'file' && <Field label="Key file" value={keyPath} onChange={(e) => setKeyPath(e.target.value)} />}
        {(keyKind === 'file' || selectedRequest?.keyEncrypted) && (
          <Field label="Key passphrase" type="password" autoComplete="off" value={keyPassphrase} onChange={(e) => setKeyPassphrase(e.target.value)} hint={keyKind === 'file' ? 'Leave empty for an unencrypted key.' : undefined} />
        )}
      </fieldset>
      <div className="actions">
        <BusyButton type="button" className={facts ? '' : 'primary'} onClick={check} busy={busy !== null}>
          Check certificate
        </BusyButton>
      </div>
      {busy && <Progress label={busy} />}
      {failure && <Notice kind="error">{failure.message}</Notice>}
      {facts && (
        <section aria-labelledby="facts-heading">
          <h3 id="facts-heading">What the certificate says</h3>
          <dl className="facts">
            <dt>Subject</dt>
            <dd>
              <code>{facts.subject}</code>
            </dd>
            <dt>Email</dt>
            <dd>{facts.email}</dd>
            <dt>Issuer</dt>
            <dd>
              <code>{facts.issuer}</code>
            </dd>
            <dt>Valid</dt>
            <dd>
              {new Date(facts.notBefore).toLocaleDateString()} to {new Date(facts.notAfter).toLocaleDateString()}
            </dd>
            <dt>Fingerprint</dt>
            <dd>
              <code className="fingerprint">{facts.fingerprint}</code>
            </dd>
          </dl>
          <FindingList findings={facts.findings} />
          {facts.findings.some((f) => f.level === 'block') ? (
            <Notice kind="error">This certificate cannot be used with Anaplan: see the problems above.</Notice>
          ) : (
            <fieldset>
              <legend>The keystore</legend>
              <Field label="Alias" value={alias} onChange={(e) => setAlias(e.target.value)} error={errors.alias} hint="Lowercase letters, digits, -, _ and . (Boomi calls it the Private Key Alias)." />
              <Field label="Keystore password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={errors.keystorePassword} hint="Also the key’s password inside the keystore, as Anaplan Connect requires." />
              <Field label="Keystore password again" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} error={errors.confirm} />
              <Field label="Folder for certificate.pem, chain.pem and keystore.p12" value={outDir} onChange={(e) => setOutDir(e.target.value)} error={errors.outDir} />
              <div className="field checkbox">
                <input id="remember-keystore" type="checkbox" checked={remember && info.secrets.available} disabled={!info.secrets.available} onChange={(e) => setRemember(e.target.checked)} />
                <label htmlFor="remember-keystore">Remember the keystore password in the system keychain</label>
              </div>
              {conflict && (
                <div className="field checkbox">
                  <input id="overwrite-import" type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} />
                  <label htmlFor="overwrite-import">Replace the existing files (a numbered .bak copy of each is kept)</label>
                </div>
              )}
              <div className="actions">
                <BusyButton type="button" className="primary" onClick={write} busy={busy !== null}>
                  Import
                </BusyButton>
              </div>
            </fieldset>
          )}
        </section>
      )}
      <div className="actions">
        <button type="button" onClick={() => advance('credentials')}>
          Back to the request
        </button>
      </div>
    </StepFrame>
  );
}

function FindingList({ findings }: { findings: Facts['findings'] }) {
  if (findings.length === 0) return <Notice kind="success">Meets every rule Anaplan publishes for certificates.</Notice>;
  return (
    <ul className="findings">
      {findings.map((finding) => (
        <li key={finding.code} className={`finding finding-${finding.level}`}>
          <strong>{finding.level === 'block' ? 'Problem: ' : 'Note: '}</strong>
          {finding.message}
        </li>
      ))}
    </ul>
  );
}
