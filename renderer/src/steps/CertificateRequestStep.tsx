import { useEffect, useRef, useState, type FormEvent } from 'react';
import { checkPassphrase } from '../../../main/pki/passphrase';
import { checkSubject } from '../../../main/pki/subject';
import { ApiError } from '../api';
import { BusyButton } from '../components/BusyButton';
import { Field } from '../components/Field';
import { Notice, Progress } from '../components/Notice';
import { StepFrame } from '../components/StepFrame';
import type { CaProfile, CertificateRequest } from '../types';
import { CsrView } from './CsrView';
import { slug } from '../lib/slug';
import type { StepProps } from './props';
import { useFocusFirstError } from '../lib/focus-first-error';

type SubjectKey = 'commonName' | 'email' | 'organization' | 'organizationalUnit' | 'locality' | 'state' | 'country';

const SUBJECT_FIELDS: ReadonlyArray<{ key: SubjectKey; label: string; hint?: string; autoComplete?: string }> = [
  { key: 'commonName', label: 'Your name (CN)', hint: 'The person the certificate is for.', autoComplete: 'name' },
  { key: 'email', label: 'Email (in the certificate)', hint: 'The Anaplan user\u2019s email: Anaplan matches the certificate to the user by it.', autoComplete: 'email' },
  { key: 'organization', label: 'Organisation (O)', autoComplete: 'organization' },
  { key: 'organizationalUnit', label: 'Department (OU)' },
  { key: 'locality', label: 'City (L)', autoComplete: 'address-level2' },
  { key: 'state', label: 'State or province (ST)', autoComplete: 'address-level1' },
  { key: 'country', label: 'Country code (C)', hint: 'Two letters, e.g. GB, US, DE.', autoComplete: 'country' },
];

/** Step 3 (certificate): a key pair and a CSR for the CA the user buys from, kept until the certificate arrives. */
export function CertificateRequestStep({ api, info, profile, advance }: StepProps) {
  const [cas, setCas] = useState<CaProfile[]>([]);
  const latest = profile.certificateRequests.at(-1) ?? null;
  const [viewing, setViewing] = useState<CertificateRequest | null>(latest);
  useEffect(() => {
    api.listCaProfiles({}).then((answer) => setCas(answer.profiles), () => setCas([]));
  }, [api]);

  if (viewing) {
    const others = profile.certificateRequests.filter((r) => r.id !== viewing.id);
    return (
      <StepFrame
        title="Key and request (CSR)"
        intro={<p>Created {new Date(viewing.createdAt).toLocaleString()}. The request waits here until your CA issues the certificate, however long that takes.</p>}
        actions={
          <>
            <button type="button" onClick={() => setViewing(null)}>
              Make a new request
            </button>
            <button type="button" className="primary" onClick={() => advance('import')}>
              I have the certificate: import it
            </button>
          </>
        }
      >
        <CsrView request={viewing} ca={cas.find((c) => c.id === viewing.caProfileId)} />
        {others.length > 0 && (
          <section aria-labelledby="other-requests">
            <h3 id="other-requests">Other pending requests</h3>
            <ul>
              {others.map((r) => (
                <li key={r.id}>
                  <button type="button" className="link-button" onClick={() => setViewing(r)}>
                    {r.subject} ({new Date(r.createdAt).toLocaleDateString()})
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
      </StepFrame>
    );
  }
  return <RequestForm {...{ api, info, profile, cas }} onCreated={(request) => setViewing(request)} onCancel={latest ? () => setViewing(latest) : null} />;
}

function RequestForm({
  api,
  info,
  profile,
  cas,
  onCreated,
  onCancel,
}: Pick<StepProps, 'api' | 'info' | 'profile'> & { cas: CaProfile[]; onCreated: (request: CertificateRequest) => void; onCancel: (() => void) | null }) {
  // A renewal asks for the same subject and CA as the last request.
  const last = profile.certificateRequests.at(-1);
  const [caId, setCaId] = useState<CaProfile['id']>(last?.caProfileId ?? 'sectigo');
  const ca = cas.find((c) => c.id === caId);
  const [subject, setSubject] = useState<Record<SubjectKey, string>>({
    commonName: '',
    email: profile.email,
    organization: '',
    organizationalUnit: '',
    locality: '',
    state: '',
    country: '',
    ...(last?.subjectFields ?? {}),
  });
  const [bits, setBits] = useState<2048 | 3072 | 4096>(2048);
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [unencrypted, setUnencrypted] = useState(false);
  const [dir, setDir] = useState(`${info.homeDir}/anaplan-setup/${slug(profile.name)}/certificate`);
  const [otherCa, setOtherCa] = useState('');
  const [otherCaMessage, setOtherCaMessage] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  useFocusFirstError(errors);
  const [failure, setFailure] = useState<string | null>(null);
  const [progress, setProgress] = useState<string | null>(null);
  const [existingKey, setExistingKey] = useState(false);
  const [backupConsent, setBackupConsent] = useState(false);

  // Progress events come over another channel than the answer and can arrive after it: only those of a
  // generation still under way count, or a late one would leave the button busy for good.
  const generating = useRef(false);
  useEffect(() => api.on('progress', (payload) => payload.task === 'keygen' && generating.current && setProgress(payload.message)), [api]);

  const strength = passphrase ? checkPassphrase(passphrase) : null;

  const checkOtherCa = async () => {
    const { unsupported } = await api.checkCaName({ name: otherCa });
    setOtherCaMessage(
      unsupported?.message ??
        'If this CA issues S/MIME (client) certificates under a root on Anaplan\u2019s supported list, choose "Other public CA (S/MIME)" above; otherwise ask Anaplan support before you buy.',
    );
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // One round: the subject is checked here by the same rules as the core, together with the passphrase.
    const found: Record<string, string> = ca ? Object.fromEntries(checkSubject({ ...subject }, ca).map((problem) => [problem.field, problem.message])) : {};
    if (!unencrypted) {
      if (!strength || !strength.ok) found.passphrase = strength?.problem ?? 'Choose a passphrase for the private key, or store it unencrypted below.';
      else if (confirm !== passphrase) found.confirm = 'The two passphrases differ.';
    }
    setErrors(found);
    if (Object.keys(found).length) return;
    setFailure(null);
    setProgress('Generating the key pair…');
    generating.current = true;
    try {
      const cleaned = Object.fromEntries(Object.entries(subject).filter(([key, value]) => value.trim() !== '' && ca?.fields[key as SubjectKey] !== 'ignored'));
      const { request } = await api.generateCertificateRequest({
        profileId: profile.id,
        caProfileId: caId,
        subject: { commonName: subject.commonName, email: subject.email, ...cleaned },
        bits,
        passphrase: unencrypted ? null : passphrase,
        dir,
        forceBackup: backupConsent,
      });
      setPassphrase('');
      setConfirm('');
      onCreated(request);
    } catch (caught) {
      if (caught instanceof ApiError) {
        setErrors(Object.fromEntries(caught.fields.map((f) => [f.field, f.message])));
        setExistingKey(caught.code === 'file_exists');
        setFailure(caught.message);
      } else setFailure(String(caught));
    } finally {
      generating.current = false;
      setProgress(null);
    }
  };

  return (
    <StepFrame
      title="Key and request (CSR)"
      intro={
        <p>
          The assistant makes an RSA key pair on this machine and a certificate signing request (CSR) with exactly what Anaplan needs. The private key never leaves
          this machine; you send only the request to your CA.
        </p>
      }
    >
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="ca">Certificate authority</label>
          <select id="ca" value={caId} onChange={(e) => setCaId(e.target.value as CaProfile['id'])} aria-describedby="ca-product">
            {cas.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          {ca && (
            <p id="ca-product" className="hint">
              Order: {ca.product}
            </p>
          )}
        </div>
        <details>
          <summary>My CA is not in this list</summary>
          <div className="field-row">
            <Field label="CA name" value={otherCa} onChange={(e) => setOtherCa(e.target.value)} placeholder="e.g. InCommon" />
            <button type="button" onClick={checkOtherCa} disabled={!otherCa.trim()}>
              Check
            </button>
          </div>
          {otherCaMessage && <Notice kind="info">{otherCaMessage}</Notice>}
        </details>
        <fieldset>
          <legend>What the certificate says</legend>
          {SUBJECT_FIELDS.filter((f) => ca?.fields[f.key] !== 'ignored').map((f) => (
            <Field
              key={f.key}
              label={`${f.label}${ca?.fields[f.key] === 'required' ? '' : ' (optional)'}`}
              value={subject[f.key]}
              onChange={(e) => setSubject({ ...subject, [f.key]: e.target.value })}
              error={errors[f.key]}
              hint={f.hint}
              autoComplete={f.autoComplete}
              required={ca?.fields[f.key] === 'required'}
            />
          ))}
        </fieldset>
        <fieldset>
          <legend>Private key</legend>
          <div className="field">
            <label htmlFor="bits">Key size</label>
            <select id="bits" value={bits} onChange={(e) => setBits(Number(e.target.value) as 2048 | 3072 | 4096)}>
              {(ca?.keySizes ?? [2048, 3072, 4096]).map((size) => (
                <option key={size} value={size}>
                  RSA {size}
                  {size === 2048 ? ' (recommended)' : ''}
                </option>
              ))}
            </select>
          </div>
          {!unencrypted && (
            <>
              <Field
                label="Passphrase"
                type="password"
                autoComplete="new-password"
                value={passphrase}
                onChange={(e) => setPassphrase(e.target.value)}
                error={errors.passphrase}
                hint={strength ? `${strength.ok ? `Strength: ${strength.strength}. ` : ''}${strength.hint}` : 'Protects the key file. It must not contain ":" (Anaplan Connect cannot pass it on).'}
              />
              <Field label="Passphrase again" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} error={errors.confirm} />
            </>
          )}
          <div className="field checkbox">
            <input id="unencrypted" type="checkbox" checked={unencrypted} onChange={(e) => setUnencrypted(e.target.checked)} />
            <label htmlFor="unencrypted">Store the key without a passphrase</label>
          </div>
          {unencrypted && <Notice kind="warning">Anyone who can read the key file can then sign in to Anaplan as this user. Keep it on a protected machine and account.</Notice>}
          <Field label="Folder for the key and the request" value={dir} onChange={(e) => setDir(e.target.value)} error={errors.dir} hint="Created if missing (readable by you only). An existing key is never overwritten." />
        </fieldset>
        {progress && <Progress label={progress} />}
        {failure && <Notice kind="error">{failure}</Notice>}
        {existingKey && (
          <div className="field checkbox">
            <input id="backup" type="checkbox" checked={backupConsent} onChange={(e) => setBackupConsent(e.target.checked)} />
            <label htmlFor="backup">Keep the existing key as a numbered .bak copy and write the new one</label>
          </div>
        )}
        <div className="actions">
          {onCancel && (
            <button type="button" onClick={onCancel}>
              Back to the request
            </button>
          )}
          <BusyButton type="submit" className="primary" busy={progress !== null}>
            Generate key and request
          </BusyButton>
        </div>
      </form>
    </StepFrame>
  );
}

