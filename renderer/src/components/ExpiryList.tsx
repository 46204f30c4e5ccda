import type { MethodOutput } from '../../../main/contract';

export type Expiry = MethodOutput<'getExpiries'>['expiries'][number];

const KIND_LABEL: Record<Expiry['kind'], string> = {
  certificate: 'Certificate',
  'refresh-token': 'OAuth refresh token',
  password: 'Password (estimate)',
};

/** The level in words (never colour alone). */
export function levelText(expiry: Expiry): string {
  if (expiry.level === 'expired') return 'Expired';
  if (expiry.daysLeft === null) return 'Date unknown';
  const days = `${expiry.daysLeft} ${expiry.daysLeft === 1 ? 'day' : 'days'}`;
  if (expiry.level === 'warn') return expiry.threshold ? `Warning: expires in ${days} (${expiry.threshold}-day step)` : `Warning: expires in ${days}`;
  return `OK: expires in ${days}`;
}

const noticeKind = (level: Expiry['level']) => (level === 'expired' ? 'error' : level === 'warn' ? 'warning' : 'info');

/** What expires across the connections, soonest first, each with what to do about it. */
/** Renewal starts from the list: the step where each credential is made. */
const RENEW_LABEL: Record<Expiry['kind'], string> = {
  certificate: 'Make a new request',
  'refresh-token': 'Sign in again',
  password: 'Enter the new password',
};

export function ExpiryList({ expiries, onRenew }: { expiries: readonly Expiry[]; onRenew?: (profileId: string) => void }) {
  if (expiries.length === 0) return null;
  const attention = expiries.filter((e) => e.level !== 'ok').length;
  return (
    <section aria-labelledby="expiries-heading">
      <h3 id="expiries-heading">What expires</h3>
      <p className="hint">
        {attention === 0
          ? 'Nothing expires within 30 days.'
          : `${attention} ${attention === 1 ? 'item needs' : 'items need'} attention before a job stops signing in.`}
      </p>
      <ul className="profile-list" aria-label="What expires, soonest first">
        {expiries.map((expiry) => (
          <li key={`${expiry.profileId}-${expiry.kind}`} className={`notice notice-${noticeKind(expiry.level)}`} data-level={expiry.level}>
            <strong className="notice-title">
              {levelText(expiry)} · {KIND_LABEL[expiry.kind]} of {expiry.profileName}
              {expiry.expiresAt && <> · {new Date(expiry.expiresAt).toLocaleDateString()}</>}
            </strong>
            <div>{expiry.message}</div>
            {onRenew && expiry.level !== 'ok' && (
              <button type="button" onClick={() => onRenew(expiry.profileId)} aria-label={`Renew: ${RENEW_LABEL[expiry.kind]} of ${expiry.profileName}`}>
                {RENEW_LABEL[expiry.kind]}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
