import { Notice } from '../components/Notice';
import { StepFrame } from '../components/StepFrame';
import type { StepProps } from './props';

/** Step 4 (certificate): importing the issued certificate arrives in the next version. */
export function ImportStep({ profile, advance }: StepProps) {
  const pending = profile.certificateRequests.filter((r) => r.status === 'pending');
  return (
    <StepFrame
      title="Import certificate"
      actions={
        <button type="button" onClick={() => advance('credentials')}>
          Back to the request
        </button>
      }
    >
      <Notice kind="info" title="Coming in the next version">
        Importing the issued certificate (PEM, DER, PKCS#7 or PKCS#12), checking it against Anaplan’s rules and building the keystore follow in the next version of the
        assistant. Your {pending.length === 1 ? 'request is' : `${pending.length} requests are`} saved and will be waiting.
      </Notice>
    </StepFrame>
  );
}
