import { useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { ApiError } from '../api';
import { BusyButton } from '../components/BusyButton';
import { EquivalentCommands } from '../components/EquivalentCommands';
import { Field } from '../components/Field';
import { LineDiff } from '../components/LineDiff';
import { Notice, Progress } from '../components/Notice';
import { StepFrame } from '../components/StepFrame';
import { JobOptions, jobFieldOf, type JobRequest } from './JobOptions';
import { useFocusFirstError } from '../lib/focus-first-error';
import { OperationBuilder, type OperationPreset } from './OperationBuilder';
import type { ExportPreview, ExportWritten } from '../types';
import type { StepProps } from './props';
import { useJobAccount } from '../lib/job-account';

type PasswordSource = 'env' | 'prompt' | 'inline';

/** Step 6: review every file before anything is written, then write (never overwriting without consent). */
export function ExportStep({ api, info, profile, session, advance, onWritten }: StepProps & { onWritten: (result: ExportWritten) => void }) {
  const saved = profile.exportOptions;
  const [dir, setDir] = useState(saved.dir);
  // Never exported yet: the scripts for this machine's system; the other is one tick away.
  const initialPlatforms = saved.dir ? saved.platforms : [info.platform === 'win32' ? 'windows' : 'linux'];
  const [linux, setLinux] = useState(initialPlatforms.includes('linux'));
  const [windows, setWindows] = useState(initialPlatforms.includes('windows'));
  const [source, setSource] = useState<PasswordSource>(saved.passwordSource);
  const [envVar, setEnvVar] = useState(saved.passwordEnvVar);
  const [inlineConsent, setInlineConsent] = useState(false);
  const [overwriteConsent, setOverwriteConsent] = useState(false);
  const certificate = profile.authMethod === 'certificate';
  const [form, setForm] = useState<'keystore' | 'pem'>('keystore');
  const [keystoreSource, setKeystoreSource] = useState<'file' | 'inline'>('file');
  const [keySource, setKeySource] = useState<'env' | 'inline' | 'none'>(profile.certificate?.keyEncrypted === false ? 'none' : 'env');
  const [keyEnvVar, setKeyEnvVar] = useState('ANAPLAN_KEY_PASSPHRASE');
  // keystore-access.txt goes into the home of the account that runs the job (anaplan-facts §5).
  const account = useJobAccount(api, profile.runAs);
  const [chosenJobHome, setJobHome] = useState<string | null>(null);
  // Another account: its home from the password database (Java's user.home); yours: the home this assistant runs with.
  const jobHome = chosenJobHome ?? (account && !account.current ? account.home : info.homeDir);
  const [secret, setSecret] = useState(session.keystorePassword);
  const [preview, setPreview] = useState<ExportPreview | null>(null);
  const [operationPreset, setOperationPreset] = useState<OperationPreset | null>(null);
  const [bundle, setBundle] = useState(false);
  const [job, setJob] = useState<JobRequest | undefined>(undefined);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  useFocusFirstError(fieldErrors);

  const platforms = [...(linux ? (['linux'] as const) : []), ...(windows ? (['windows'] as const) : [])];
  const request = () => ({
    profileId: profile.id,
    dir: dir.trim(),
    platforms,
    passwordSource: source,
    passwordEnvVar: envVar.trim(),
    operationPreset,
    bundle,
    job,
    ...(source === 'inline' && session.password ? { password: session.password } : {}),
    ...(certificate
      ? {
          certificate: {
            form,
            keystorePasswordSource: keystoreSource,
            keyPassphraseSource: keySource,
            keyPassphraseEnvVar: keyEnvVar.trim(),
            jobHome: jobHome.trim(),
            ...(needsSecret() && secret ? { secret } : {}),
          },
        }
      : {}),
  });
  function needsSecret(): boolean {
    return form === 'keystore' || keySource === 'inline';
  }
  const changed = preview?.files.filter((f) => f.status === 'changed') ?? [];
  // The review replaces the "Review files" button that had focus: focus moves to the review's heading.
  const reviewHeading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (preview) reviewHeading.current?.focus();
  }, [preview]);
  // And back: "Change choices" removes the review, so the "Review files" button it brings back takes focus.
  const reviewButton = useRef<HTMLButtonElement>(null);
  const changeChoices = () => {
    flushSync(invalidate);
    reviewButton.current?.focus();
  };

  const run = async (label: string, work: () => Promise<void>) => {
    setBusy(label);
    setError(null);
    setFieldErrors({});
    try {
      await work();
    } catch (caught) {
      if (caught instanceof FieldError) {
        setFieldErrors({ [caught.field]: caught.message });
        return;
      }
      setError(caught instanceof ApiError ? caught.message : String(caught));
      if (caught instanceof ApiError) setFieldErrors(exportFieldErrors(caught.fields));
    } finally {
      setBusy(null);
    }
  };
  const invalidate = () => {
    setPreview(null);
    setOverwriteConsent(false);
  };
  const review = () =>
    run('Preparing the files…', async () => {
      if (!dir.trim()) throw new FieldError('dir', 'Choose the folder the files go into.');
      if (platforms.length === 0) throw new FieldError('platforms', 'Choose Linux, Windows or both.');
      const inlineChosen = certificate ? (form === 'keystore' ? keystoreSource === 'inline' : keySource === 'inline') : profile.authMethod === 'basic' && source === 'inline';
      if (inlineChosen && !inlineConsent) throw new Error('Confirm that you accept the secret being written into the script, or choose another way.');
      setPreview(await api.previewExport(request()));
    });
  const write = () =>
    run('Writing the files…', async () => {
      const result = await api.writeExport({ ...request(), overwrite: overwriteConsent });
      onWritten(result);
      await advance('done');
    });
  const browse = () =>
    run('Choosing a folder…', async () => {
      const { path } = await api.chooseFolder({ title: 'Folder for the Anaplan Connect job' });
      if (path) {
        setDir(path);
        invalidate();
      }
    });

  return (
    <StepFrame
      title="Export"
      intro={
        <p>
          The job for <strong>{profile.model?.name ?? 'your model'}</strong> in <strong>{profile.workspace?.name ?? 'your workspace'}</strong>: Anaplan Connect scripts in the
          shape of its own examples, and a README with the next steps.
        </p>
      }
    >
      <div className="field-row">
        <Field
          label="Folder"
          value={dir}
          onChange={(e) => {
            setDir(e.target.value);
            invalidate();
          }}
          placeholder={`${info.homeDir}/anaplan-job`}
          hint="Created if missing. Existing files are never replaced without your consent."
          error={fieldErrors.dir}
        />
        {info.canChooseFolder && (
          <button type="button" onClick={browse}>
            Browse…
          </button>
        )}
      </div>
      <OperationBuilder api={api} profile={profile} session={session} fieldError={fieldErrors.operation} onChange={(preset) => (setOperationPreset(preset), invalidate())} />
      <JobOptions api={api} info={info} runAs={profile.runAs} errors={fieldErrors} onChange={(next) => (setJob(next), invalidate())} />
      <fieldset>
        <legend>Scripts for</legend>
        <div className="field checkbox">
          <input id="linux" type="checkbox" aria-invalid={fieldErrors.platforms ? true : undefined} aria-describedby={fieldErrors.platforms ? 'platforms-error' : undefined} checked={linux} onChange={(e) => (setLinux(e.target.checked), invalidate())} />
          <label htmlFor="linux">Linux (anaplan-connect.sh)</label>
        </div>
        <div className="field checkbox">
          <input id="windows" type="checkbox" checked={windows} onChange={(e) => (setWindows(e.target.checked), invalidate())} />
          <label htmlFor="windows">Windows (anaplan-connect.bat)</label>
        </div>
        {fieldErrors.platforms && (
          <div id="platforms-error" className="field-error" role="alert">
            {fieldErrors.platforms}
          </div>
        )}
        <div className="field checkbox">
          <input id="bundle" type="checkbox" checked={bundle} onChange={(e) => (setBundle(e.target.checked), invalidate())} />
          <label htmlFor="bundle">Also one ZIP of the whole job, to copy to the server (anaplan-connect-job.zip)</label>
        </div>
      </fieldset>
      {certificate ? (
      <fieldset>
        <legend>How the job signs in with the certificate</legend>
        <div className="field radio">
          <input id="form-keystore" type="radio" name="cert-form" checked={form === 'keystore'} onChange={() => (setForm('keystore'), invalidate())} />
          <label htmlFor="form-keystore">
            The keystore (recommended) <span className="hint">-keystore {profile.certificate?.keystorePath ?? 'keystore.p12'} -keystorealias {profile.certificate?.alias ?? 'anaplan-connect'}</span>
          </label>
        </div>
        <div className="field radio">
          <input id="form-pem" type="radio" name="cert-form" checked={form === 'pem'} onChange={() => (setForm('pem'), invalidate())} disabled={!profile.certificate?.privateKeyPath} />
          <label htmlFor="form-pem">
            The certificate and key files <span className="hint">-certificate … -privatekey path:passphrase</span>
          </label>
        </div>
        {form === 'keystore' ? (
          <>
            <div className="field radio">
              <input id="ks-file" type="radio" name="ks-source" checked={keystoreSource === 'file'} onChange={() => (setKeystoreSource('file'), invalidate())} />
              <label htmlFor="ks-file">
                Password in Anaplan Connect’s keystore-access.txt (recommended) <span className="hint">Kept off the command line; written for the account that runs the job.</span>
              </label>
            </div>
            <div className="field radio">
              <input id="ks-inline" type="radio" name="ks-source" checked={keystoreSource === 'inline'} onChange={() => (setKeystoreSource('inline'), invalidate())} />
              <label htmlFor="ks-inline">
                Written into the script (-keystorepass) <span className="hint">Readable in the script and visible in the process list while the job runs.</span>
              </label>
            </div>
            {keystoreSource === 'file' && (
              <Field
                label="Home folder of the account that runs the job"
                value={jobHome}
                onChange={(e) => (setJobHome(e.target.value), invalidate())}
                error={fieldErrors.jobHome}
                hint="keystore-access.txt goes into .anaplan/api-client/ there (mode 0600). On another server, copy it to the same place in that account’s home."
              />
            )}
            <Field label="Keystore password" type="password" autoComplete="off" value={secret} onChange={(e) => (setSecret(e.target.value), invalidate())} />
          </>
        ) : (
          <>
            {(['env', 'inline', 'none'] as const).map((value) => (
              <div className="field radio" key={value}>
                <input id={`key-source-${value}`} type="radio" name="key-source" checked={keySource === value} onChange={() => (setKeySource(value), invalidate())} disabled={value === 'none' && profile.certificate?.keyEncrypted !== false} />
                <label htmlFor={`key-source-${value}`}>{KEY_SOURCE_LABEL[value]}</label>
              </div>
            ))}
            {keySource === 'env' && <Field label="Environment variable" value={keyEnvVar} onChange={(e) => (setKeyEnvVar(e.target.value), invalidate())} error={fieldErrors.keyEnvVar} />}
            {keySource === 'inline' && <Field label="Key passphrase" type="password" autoComplete="off" value={secret} onChange={(e) => (setSecret(e.target.value), invalidate())} />}
          </>
        )}
        {((form === 'keystore' && keystoreSource === 'inline') || (form === 'pem' && keySource === 'inline')) && (
          <div className="field checkbox">
            <input id="inline-consent" type="checkbox" checked={inlineConsent} onChange={(e) => (setInlineConsent(e.target.checked), invalidate())} />
            <label htmlFor="inline-consent">I understand that the secret will be readable in the script file.</label>
          </div>
        )}
      </fieldset>
      ) : profile.authMethod !== 'basic' ? null : (
      <fieldset>
        <legend>How the job gets the password</legend>
        {(
          [
            ['env', 'From an environment variable (recommended)', 'The scheduler or a protected wrapper sets it; nothing secret is in the script.'],
            ['prompt', 'Anaplan Connect asks for it', 'Only for runs with someone at the keyboard: a scheduled job cannot answer.'],
            ['inline', 'Written into the script', 'The password is stored in clear text in the script file. Anyone who can read the file can sign in as this user.'],
          ] as const
        ).map(([value, label, detail]) => (
          <div className="field radio" key={value}>
            <input id={`source-${value}`} type="radio" name="password-source" checked={source === value} onChange={() => (setSource(value), invalidate())} />
            <label htmlFor={`source-${value}`}>
              {label}
              <span className="hint"> {detail}</span>
            </label>
          </div>
        ))}
        {source === 'env' && <Field label="Environment variable" value={envVar} onChange={(e) => (setEnvVar(e.target.value), invalidate())} error={fieldErrors.envVar} />}
        {source === 'inline' && (
          <div className="field checkbox">
            <input id="inline-consent" type="checkbox" checked={inlineConsent} onChange={(e) => (setInlineConsent(e.target.checked), invalidate())} />
            <label htmlFor="inline-consent">I understand that the password will be readable in the script file.</label>
          </div>
        )}
        {source !== 'prompt' && (
          <p className="hint">Anaplan Connect passes -user user:password to Java, so the password shows in the process list (ps) while a job runs.</p>
        )}
      </fieldset>
      )}
      {busy && <Progress label={busy} />}
      {error && <Notice kind="error">{error}</Notice>}
      {!preview && (
        <div className="actions">
          <BusyButton type="button" className="primary" onClick={review} busy={busy !== null} ref={reviewButton}>
            Review files
          </BusyButton>
        </div>
      )}
      {preview && (
        <section aria-labelledby="review-heading" className="review">
          <h3 id="review-heading" tabIndex={-1} ref={reviewHeading}>
            Review: nothing is written yet
          </h3>
          <p>
            Into <code>{preview.dir}</code>:
          </p>
          <ul className="file-list">
            {preview.files.map((file) => (
              <li key={file.name}>
                <details>
                  <summary>
                    <code>{file.name}</code> <span className={`badge status-${file.status}`}>{STATUS_LABEL[file.status]}</span>
                  </summary>
                  {file.status === 'changed' && file.existing !== null && !file.existing.startsWith('(') && <LineDiff before={file.existing} after={file.content} />}
                  <pre tabIndex={0} aria-label={`Content of ${file.name}`}>
                    {file.content}
                  </pre>
                </details>
              </li>
            ))}
          </ul>
          <EquivalentCommands commands={preview.equivalentCommands} />
          {preview.warnings.map((warning) => (
            <Notice kind="warning" key={warning}>
              {warning}
            </Notice>
          ))}
          {changed.length > 0 && (
            <div className="field checkbox">
              <input id="overwrite" type="checkbox" checked={overwriteConsent} onChange={(e) => setOverwriteConsent(e.target.checked)} />
              <label htmlFor="overwrite">
                Replace {changed.map((f) => f.name).join(', ')} (a numbered .bak copy of each is kept, except of a script that holds a secret)
              </label>
            </div>
          )}
          <div className="actions">
            <button type="button" onClick={changeChoices}>
              Change choices
            </button>
            <BusyButton type="button" className="primary" onClick={write} busy={busy !== null} disabled={changed.length > 0 && !overwriteConsent}>
              Write files
            </BusyButton>
          </div>
        </section>
      )}
    </StepFrame>
  );
}

/** A problem found here before asking the core, shown at its field. */
class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The core's per-field problems (paths in the export input) as the fields of this step that show them. */
function exportFieldErrors(fields: ReadonlyArray<{ field: string; message: string }>): Record<string, string> {
  const found: Record<string, string> = {};
  for (const { field, message } of fields) {
    const key = STEP_FIELD[field] ?? jobFieldOf(field);
    if (key && !(key in found)) found[key] = message;
  }
  return found;
}

const STEP_FIELD: Readonly<Record<string, string>> = {
  operation: 'operation',
  jobDir: 'dir',
  'password.envVar': 'envVar',
  'credentials.keyPassphrase.envVar': 'keyEnvVar',
  'credentials.keystorePassword.jobHome': 'jobHome',
};

const KEY_SOURCE_LABEL = {
  env: 'The key’s passphrase from an environment variable (recommended)',
  inline: 'The passphrase written into the script',
  none: 'No passphrase: the key file is not encrypted',
} as const;

const STATUS_LABEL = { new: 'new file', same: 'unchanged', changed: 'will replace the existing file' } as const;
