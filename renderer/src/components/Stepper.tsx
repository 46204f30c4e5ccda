import { stepIndex, type Step, type StepId } from '../types';

/** The wizard's progress: an ordered list, the current step marked with aria-current="step". */
export function Stepper({ steps, current, furthest, onGo }: { steps: Step[]; current: StepId; furthest: StepId; onGo: (step: StepId) => void }) {
  const reachable = stepIndex(furthest);
  const currentIndex = stepIndex(current);
  return (
    <nav aria-label="Setup steps" className="stepper">
      <ol>
        {steps.map((step, position) => {
          const index = stepIndex(step.id);
          const state = step.id === current ? 'current' : index < currentIndex ? 'done' : 'todo';
          return (
            <li key={step.id} className={`stepper-item ${state}`} aria-current={step.id === current ? 'step' : undefined}>
              {index <= reachable && step.id !== current ? (
                <button type="button" className="link-button" onClick={() => onGo(step.id)}>
                  <span className="stepper-number" aria-hidden="true">{position + 1}</span> <span className="stepper-label">{step.label}</span>
                  {state === 'done' && <span className="visually-hidden"> (completed)</span>}
                </button>
              ) : (
                <span>
                  <span className="stepper-number" aria-hidden="true">{position + 1}</span> <span className="stepper-label">{step.label}</span>
                  {state === 'todo' && <span className="visually-hidden"> (not yet available)</span>}
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
