import type { ReactNode } from 'react';

/** Errors are alerts (announced at once); information and progress are polite status updates. */
export function Notice({ kind, title, children }: { kind: 'error' | 'warning' | 'info' | 'success'; title?: string; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {title && <strong className="notice-title">{title}</strong>}
      <div>{children}</div>
    </div>
  );
}

export function Progress({ label }: { label: string }) {
  return (
    <div className="progress" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}
