import { useEffect, useRef, type ReactNode } from 'react';

/** One wizard step: its heading takes focus when the step appears, so keyboard and screen reader users land on it. */
export function StepFrame({ title, intro, children, actions }: { title: string; intro?: ReactNode; children: ReactNode; actions?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, [title]);
  return (
    <section className="step" aria-labelledby="step-heading">
      <h2 id="step-heading" tabIndex={-1} ref={heading}>
        {title}
      </h2>
      {intro && <div className="intro">{intro}</div>}
      {children}
      {actions && <div className="actions">{actions}</div>}
    </section>
  );
}
