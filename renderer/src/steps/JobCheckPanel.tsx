import { useState } from 'react';
import { ApiError } from '../api';
import { BusyButton } from '../components/BusyButton';
import { Notice } from '../components/Notice';
import type { AssistantApi, MethodOutput } from '../../../main/contract';

type JobCheckResult = MethodOutput<'checkJob'>;

/**
 * "Check the job now": the same checks as `anaplan-setup check-job`, on the folder the job was
 * written to, ending with the job's own `anaplan-connect.sh --check` (the real Anaplan Connect
 * signing in). Useful where Anaplan Connect is on this machine (the integration server itself).
 */
export function JobCheckPanel({ api, profileId }: { api: AssistantApi; profileId: string }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<JobCheckResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const check = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api.checkJob({ profileId }));
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError('internal', String(caught)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="job-check-heading" className="job-check">
      <h3 id="job-check-heading">Check the job on this machine</h3>
      <p>
        Where Anaplan Connect is installed on this machine, check the written job as tonight&rsquo;s run will meet it: its files and modes, Java, the credentials
        where Anaplan Connect looks for them, and a real sign-in (the job with <code>--check</code>: Anaplan Connect lists the workspaces, nothing else runs).
      </p>
      <BusyButton type="button" onClick={check} busy={busy}>
        Check the job now
      </BusyButton>
      {error && (
        <Notice kind="error" title="The check could not run">
          {error.message}
        </Notice>
      )}
      {result && (
        <Notice kind={result.ok ? 'success' : 'error'} title={result.ok ? 'Every check holds: the job can run' : 'Some checks failed'}>
          <ul className="job-checks" aria-label="Job checks">
            {result.checks.map((item) => (
              <li key={item.name} data-ok={item.ok}>
                <strong>{item.ok ? 'OK' : 'Failed'}</strong> {item.name}: {item.message}
              </li>
            ))}
          </ul>
          {result.workspaces.length > 0 && (
            <p>
              Workspaces the job can reach: {result.workspaces.map((workspace) => workspace.name).join(', ')}.
            </p>
          )}
        </Notice>
      )}
    </section>
  );
}
