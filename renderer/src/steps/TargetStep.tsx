import { useState } from 'react';
import { Notice } from '../components/Notice';
import { StepFrame } from '../components/StepFrame';
import type { StepProps } from './props';

/** Step 5: pick the workspace and model from lists instead of copying IDs out of browser URLs. */
export function TargetStep({ profile, session, advance }: StepProps) {
  const workspaces = session.loginResult?.workspaces ?? [];
  const [workspaceId, setWorkspaceId] = useState(profile.workspace?.id ?? workspaces[0]?.id ?? '');
  const workspace = workspaces.find((w) => w.id === workspaceId);
  const [modelId, setModelId] = useState(profile.model?.id ?? workspace?.models[0]?.id ?? '');
  const model = workspace?.models.find((m) => m.id === modelId);

  if (!session.loginResult) {
    return (
      <StepFrame title="Workspace and model">
        <Notice kind="info">Test the login first: the lists come from Anaplan.</Notice>
        <div className="actions">
          <button type="button" className="primary" onClick={() => advance('login')}>
            Go to Test login
          </button>
        </div>
      </StepFrame>
    );
  }
  const chooseWorkspace = (id: string) => {
    setWorkspaceId(id);
    setModelId(workspaces.find((w) => w.id === id)?.models[0]?.id ?? '');
  };
  return (
    <StepFrame
      title="Workspace and model"
      intro={<p>The job works on one model. The IDs go into the script as -workspace_id and -model_id.</p>}
      actions={
        <button
          type="button"
          className="primary"
          disabled={!workspace || !model}
          onClick={() => workspace && model && advance('export', { workspace: { id: workspace.id, name: workspace.name }, model: { id: model.id, name: model.name } })}
        >
          Continue
        </button>
      }
    >
      {workspaces.length === 0 ? (
        <Notice kind="warning">This user sees no workspaces. Ask a workspace administrator to add the user to the workspace of the model.</Notice>
      ) : (
        <>
          <div className="field">
            <label htmlFor="workspace">Workspace</label>
            <select id="workspace" value={workspaceId} onChange={(e) => chooseWorkspace(e.target.value)}>
              {workspaces.map((w) => (
                <option key={w.id} value={w.id}>
                  {w.name}
                </option>
              ))}
            </select>
            <p className="hint">
              ID <code>{workspaceId}</code>
            </p>
          </div>
          <div className="field">
            <label htmlFor="model">Model</label>
            <select id="model" value={modelId} onChange={(e) => setModelId(e.target.value)} disabled={!workspace?.models.length}>
              {workspace?.models.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
            {workspace && workspace.models.length === 0 && <p className="field-error">This workspace has no models this user can open.</p>}
            {model && (
              <p className="hint">
                ID <code>{model.id}</code>
              </p>
            )}
          </div>
        </>
      )}
    </StepFrame>
  );
}
