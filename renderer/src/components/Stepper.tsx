import { STEPS, stepIndex, type StepId } from '../types';

/** The wizard's progress: an ordered list, the current step marked with aria-current="step". */
export function Stepper({ current, furthest, onGo }: { current: StepId; furthest: StepId; onGo: (step: StepId) => void }) {
  const reachable = stepIndex(furthest);
  return (
    <nav aria-label="Setup steps" className="stepper">
      <ol>
        {STEPS.map((step, index) => {
          const state = step.id === current ? 'current' : index < stepIndex(current) ? 'done' : 'todo';
          return (
            <li key={step.id} className={`stepper-item ${state}`} aria-current={step.id === current ? 'step' : undefined}>
              {index <= reachable && step.id !== current ? (
                <button type="button" className="link-button" onClick={() => onGo(step.id)}>
                  <span className="stepper-number" aria-hidden="true">{index + 1}</span> {step.label}
                  {state === 'done' && <span className="visually-hidden"> (completed)</span>}
                </button>
              ) : (
                <span>
                  <span className="stepper-number" aria-hidden="true">{index + 1}</span> {step.label}
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
