import { EquivalentCommands } from '../components/EquivalentCommands';
import { Notice } from '../components/Notice';
import { StepFrame } from '../components/StepFrame';
import type { AssistantApi } from '../../../main/contract';
import type { ExportWritten, Profile } from '../types';
import { JobCheckPanel } from './JobCheckPanel';

/** Step 7: what was written and what to do next on the integration server. */
export function DoneStep({ api, profile, written, onHome }: { api: AssistantApi; profile: Profile; written: ExportWritten | null; onHome: () => void }) {
  const source = profile.exportOptions.passwordSource;
  const linuxScriptWritten = written?.files.some((file) => file.path.endsWith('/anaplan-connect.sh')) ?? false;
  return (
    <StepFrame
      title="Done"
      actions={
        <button type="button" className="primary" onClick={onHome}>
          Back to start
        </button>
      }
    >
      {written ? (
        <Notice kind="success" title="Files written">
          <ul className="file-list">
            {written.files.map((file) => (
              <li key={file.path}>
                <code>{file.path}</code> ({file.status})
              </li>
            ))}
          </ul>
        </Notice>
      ) : (
        <p>
          The job was exported to <code>{profile.exportOptions.dir}</code>.
        </p>
      )}
      {written?.warnings.map((warning) => (
        <Notice kind="warning" key={warning}>
          {warning}
        </Notice>
      ))}
      {written && <EquivalentCommands commands={written.equivalentCommands} />}
      {linuxScriptWritten && <JobCheckPanel api={api} profileId={profile.id} />}
      <h3>Next steps</h3>
      <ol className="next-steps">
        <li>Copy the script into the Anaplan Connect folder on the integration server (next to AnaplanClient.sh / AnaplanClient.bat), or set AnaplanConnectDir in it.</li>
        {source === 'env' && <li>Make sure the account that runs the job sets {profile.exportOptions.passwordEnvVar} (never in a world-readable file).</li>}
        <li>Fill in Operation at the top of the script: the README in the folder has examples.</li>
        <li>Run it once by hand, then schedule it (cron or Task Scheduler) under the same account.</li>
      </ol>
    </StepFrame>
  );
}
