import { useState } from 'react';
import type { MethodInput, MethodOutput } from '../../../main/contract';
import { ApiError } from '../api';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import type { StepProps } from './props';

export type JobRequest = NonNullable<MethodInput<'previewExport'>['job']>;
type ServerCheck = MethodOutput<'checkServerSetup'>;

/** Where and how the job runs on the integration server: folders, Java, proxy and retries, log, failure hook, schedule. */
export function JobOptions({
  api,
  info,
  runAs,
  onChange,
  errors = {},
}: Pick<StepProps, 'api' | 'info'> & { runAs: string; onChange: (job: JobRequest) => void; errors?: Readonly<Record<string, string>> }) {
  // Folded by default; a problem in one of its fields unfolds it, so the field in error can take focus.
  const [open, setOpen] = useState(false);
  const hasError = Object.keys(errors).some((key) => JOB_FIELDS.includes(key));
  const [values, setValues] = useState<Record<string, string>>({ scheduleAccount: runAs || info.userName });
  const [check, setCheck] = useState<ServerCheck | null>(null);
  const [checkError, setCheckError] = useState<string | null>(null);

  const set = (key: string, value: string) => {
    const next = { ...values, [key]: value };
    setValues(next);
    onChange(toJob(next));
  };
  const field = (key: string, label: string, hint?: string, placeholder?: string) => (
    <Field label={label} value={values[key] ?? ''} onChange={(e) => set(key, e.target.value)} hint={hint} placeholder={placeholder} error={errors[key]} />
  );

  const runCheck = async () => {
    setCheckError(null);
    try {
      setCheck(await api.checkServerSetup({ anaplanConnectDir: values.anaplanConnectDir ?? '', javaHome: values.javaHome ?? '' }));
    } catch (caught) {
      setCheckError(caught instanceof ApiError ? caught.message : String(caught));
    }
  };

  return (
    <details open={open || hasError} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Where and when the job runs (server, proxy, log, schedule)</summary>
      {field('anaplanConnectDir', 'Anaplan Connect folder on the server', 'Where AnaplanClient.sh / AnaplanClient.bat are. Empty: the folder the script is copied into.', 'e.g. /opt/anaplan-connect')}
      {field('javaHome', 'JAVA_HOME for the job (optional)', 'Empty: Anaplan Connect finds Java through JAVA_HOME or the PATH of the account that runs the job.', 'e.g. /usr/lib/jvm/java-17-openjdk-amd64')}
      <div className="actions">
        <button type="button" onClick={runCheck}>
          Check these folders on this machine
        </button>
        <span className="hint">Useful when the assistant runs on the integration server itself (anaplan-setup ui over SSH).</span>
      </div>
      {checkError && <Notice kind="error">{checkError}</Notice>}
      {check && (
        <ul className="findings">
          {check.findings.map((f) => (
            <li key={f.message} className={`finding finding-${f.level === 'ok' ? 'warn' : f.level}`}>
              <strong>{f.level === 'ok' ? 'OK: ' : f.level === 'block' ? 'Problem: ' : 'Note: '}</strong>
              {f.message}
            </li>
          ))}
        </ul>
      )}
      {field('proxyUrl', 'Proxy for the job (-via), with its port', 'Only if the server reaches Anaplan through a proxy.', 'e.g. http://proxy.example.com:8080')}
      {field('proxyUser', 'Proxy user (-viauser)', 'DOMAIN\\user for NTLM. Its password comes from an environment variable when the job runs.')}
      {field('proxyPasswordEnvVar', 'Environment variable with the proxy password', undefined, 'e.g. ANAPLAN_PROXY_PASSWORD')}
      <div className="field-row">
        {field('maxRetryCount', 'Retries (3–15)')}
        {field('retryTimeoutSeconds', 'Retry wait, s (3–120)')}
        {field('httpTimeoutSeconds', 'HTTP timeout, s (60–300)')}
        {field('chunkSizeMb', 'Chunk size, MB (1–50)')}
      </div>
      {field('logDir', 'Log folder', 'Each run writes a dated log. Empty: a logs folder next to the script.')}
      {field('onFailure', 'Command to run when the job fails', 'It gets ANAPLAN_JOB_EXIT_CODE and ANAPLAN_JOB_LOG, e.g. a mail or monitoring command.')}
      <div className="field-row">
        {field('scheduleTime', 'Run daily at (HH:MM)', undefined, 'e.g. 02:30')}
        {field('scheduleAccount', 'as the account')}
      </div>
    </details>
  );
}

const JOB_FIELDS = ['anaplanConnectDir', 'javaHome', 'proxyUrl', 'proxyUser', 'proxyPasswordEnvVar', 'maxRetryCount', 'retryTimeoutSeconds', 'httpTimeoutSeconds', 'chunkSizeMb', 'logDir', 'onFailure', 'scheduleTime', 'scheduleAccount'];

/** The export input's path of a problem (connection.chunkSizeMb, schedule.time) as the key of the field that shows it here. */
export function jobFieldOf(path: string): string | null {
  const key = path.startsWith('connection.') ? path.slice('connection.'.length) : path === 'schedule.time' ? 'scheduleTime' : path === 'schedule.account' ? 'scheduleAccount' : path;
  return JOB_FIELDS.includes(key) ? key : null;
}

function toJob(values: Record<string, string>): JobRequest {
  const text = (key: string) => values[key]?.trim() || undefined;
  const number = (key: string) => (text(key) === undefined ? undefined : Number(text(key)));
  return {
    anaplanConnectDir: text('anaplanConnectDir'),
    javaHome: text('javaHome'),
    logDir: text('logDir'),
    onFailure: text('onFailure'),
    connection: {
      proxyUrl: text('proxyUrl'),
      proxyUser: text('proxyUser'),
      proxyPasswordEnvVar: text('proxyPasswordEnvVar'),
      maxRetryCount: number('maxRetryCount'),
      retryTimeoutSeconds: number('retryTimeoutSeconds'),
      httpTimeoutSeconds: number('httpTimeoutSeconds'),
      chunkSizeMb: number('chunkSizeMb'),
    },
    schedule: text('scheduleTime') ? { time: text('scheduleTime') ?? '', ...(text('scheduleAccount') ? { account: text('scheduleAccount') } : {}) } : undefined,
  };
}
