import { DownloadButton } from '../components/DownloadButton';
import { EquivalentCommands } from '../components/EquivalentCommands';
import { Notice } from '../components/Notice';
import { StepFrame } from '../components/StepFrame';
import type { AssistantApi } from '../../../main/contract';
import type { ExportWritten, Profile } from '../types';
import { JobCheckPanel } from './JobCheckPanel';

/** Step 7: what was written and what to do next on the integration server. */
export function DoneStep({ api, profile, written, onHome }: { api: AssistantApi; profile: Profile; written: ExportWritten | null; onHome: () => void }) {
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
      <h3>Before tonight&rsquo;s run</h3>
      {written ? (
        <ol className="next-steps" aria-label="Before tonight's run">
          {written.nextSteps.map((step) => (
            <li key={step.text}>
              {step.text}
              {step.command && (
                <pre className="command">
                  <code>{step.command}</code>
                </pre>
              )}
            </li>
          ))}
        </ol>
      ) : (
        <p>The exported README.md in that folder says what is left to do before the job runs.</p>
      )}
      {written && (
        <div className="actions">
          <DownloadButton
            name="before-tonights-run.txt"
            label="Download this checklist"
            content={async () => ({ text: written.nextSteps.map((step, index) => `${index + 1}. ${step.text}${step.command ? `\n   ${step.command.replaceAll('\n', '\n   ')}` : ''}`).join('\n') + '\n' })}
          />
          {written.files.some((file) => file.path.endsWith('/anaplan-connect-job.zip')) && (
            <DownloadButton name="anaplan-connect-job.zip" label="Download the job (ZIP)" content={() => api.downloadFile({ profileId: profile.id, file: 'bundle' })} />
          )}
        </div>
      )}
      {linuxScriptWritten && <JobCheckPanel api={api} profileId={profile.id} />}
      {written && written.warnings.length > 0 && (
        // The checklist comes first; what the export noted stays at hand (it is in README.md too).
        <details className="export-notes">
          <summary>What the export noted ({written.warnings.length})</summary>
          {written.warnings.map((warning) => (
            <Notice kind="warning" key={warning}>
              {warning}
            </Notice>
          ))}
        </details>
      )}
      {written && <EquivalentCommands commands={written.equivalentCommands} />}
    </StepFrame>
  );
}
