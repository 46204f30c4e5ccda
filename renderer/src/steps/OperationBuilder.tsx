import { useState } from 'react';
import type { MethodInput, MethodOutput } from '../../../main/contract';
import { ApiError } from '../api';
import { Field } from '../components/Field';
import { Notice, Progress } from '../components/Notice';
import type { StepProps } from './props';

export type OperationPreset = NonNullable<MethodInput<'previewExport'>['operationPreset']>;
type Lists = MethodOutput<'listModelObjects'>;
type Kind = 'later' | OperationPreset['kind'];

/**
 * "What the job does", built with the person from the model's own lists (no IDs copied from
 * URLs): upload a file and run an import, run a process, or run an export and download its file.
 */
export function OperationBuilder({ api, profile, session, onChange, fieldError }: Pick<StepProps, 'api' | 'profile' | 'session'> & { onChange: (preset: OperationPreset | null) => void; fieldError?: string | undefined }) {
  const [kind, setKind] = useState<Kind>('later');
  const [lists, setLists] = useState<Lists | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [file, setFile] = useState('');
  const [importName, setImportName] = useState('');
  const [processName, setProcessName] = useState('');
  const [exportName, setExportName] = useState('');
  const [localFile, setLocalFile] = useState('');

  const emit = (next: Partial<{ kind: Kind; file: string; importName: string; processName: string; exportName: string; localFile: string }>) => {
    const v = { kind, file, importName, processName, exportName, localFile, ...next };
    if (v.kind === 'import' && v.file && v.importName && v.localFile) onChange({ kind: 'import', file: v.file, importName: v.importName, localFile: v.localFile });
    else if (v.kind === 'process' && v.processName) onChange({ kind: 'process', processName: v.processName });
    else if (v.kind === 'export' && v.exportName && v.localFile) onChange({ kind: 'export', exportName: v.exportName, localFile: v.localFile });
    else onChange(null);
  };

  const load = async () => {
    setLoading(true);
    setError(null);
    try {
      const secret = profile.authMethod === 'certificate' ? session.keystorePassword : profile.authMethod === 'oauth' ? '' : session.password;
      setLists(await api.listModelObjects({ profileId: profile.id, secret: secret || null }));
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : String(caught));
    } finally {
      setLoading(false);
    }
  };

  const choose = (next: Kind) => {
    setKind(next);
    emit({ kind: next });
    if (next !== 'later' && !lists && !loading) void load();
  };

  const select = (id: string, label: string, value: string, options: Lists[keyof Lists], set: (v: string) => void, key: 'file' | 'importName' | 'processName' | 'exportName') => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        onChange={(e) => {
          set(e.target.value);
          emit({ [key]: e.target.value });
        }}
      >
        <option value="">Choose…</option>
        {options.map((o) => (
          <option key={o.id} value={o.name}>
            {o.name}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <fieldset>
      <legend>What the job does</legend>
      {(
        [
          ['later', 'I will fill in Operation myself (the script shows examples)'],
          ['import', 'Upload a file and run an import'],
          ['process', 'Run a process'],
          ['export', 'Run an export and download its file'],
        ] as const
      ).map(([value, label]) => (
        <div className="field radio" key={value}>
          <input
            id={`operation-${value}`}
            type="radio"
            name="operation"
            checked={kind === value}
            onChange={() => choose(value)}
            aria-invalid={fieldError && kind === value ? true : undefined}
            aria-describedby={fieldError ? 'operation-error' : undefined}
          />
          <label htmlFor={`operation-${value}`}>{label}</label>
        </div>
      ))}
      {fieldError && (
        <div id="operation-error" className="field-error" role="alert">
          {fieldError}
        </div>
      )}
      {loading && <Progress label={`Reading the lists of ${profile.model?.name ?? 'the model'}…`} />}
      {error && (
        <Notice kind="error">
          {error}{' '}
          <button type="button" onClick={load}>
            Try again
          </button>
        </Notice>
      )}
      {lists && kind === 'import' && (
        <>
          {select('operation-choose-file', 'Anaplan file (the import’s source)', file, lists.files, setFile, 'file')}
          {select('operation-choose-import', 'Import', importName, lists.imports, setImportName, 'importName')}
          <Field label="File on the server to upload" value={localFile} onChange={(e) => (setLocalFile(e.target.value), emit({ localFile: e.target.value }))} placeholder="e.g. /data/sales.csv" />
        </>
      )}
      {lists && kind === 'process' && select('operation-choose-process', 'Process', processName, lists.processes, setProcessName, 'processName')}
      {lists && kind === 'export' && (
        <>
          {select('operation-choose-export', 'Export', exportName, lists.exports, setExportName, 'exportName')}
          <Field label="Where to save the downloaded file on the server" value={localFile} onChange={(e) => (setLocalFile(e.target.value), emit({ localFile: e.target.value }))} placeholder="e.g. /data/actuals.csv" />
        </>
      )}
    </fieldset>
  );
}
