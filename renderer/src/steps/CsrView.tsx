import { CopyButton, DownloadLink } from '../components/CopyButton';
import type { CaProfile, CertificateRequest } from '../types';

/** The request as the CA wants it, what it asks for in plain words, and what to do next. */
export function CsrView({ request, ca }: { request: CertificateRequest; ca: CaProfile | undefined }) {
  return (
    <div className="csr-view">
      <h3>Your certificate request</h3>
      <dl className="facts">
        <dt>For</dt>
        <dd>{request.email}</dd>
        <dt>Subject</dt>
        <dd>
          <code>{request.subject}</code>
        </dd>
        <dt>Asks for</dt>
        <dd>
          An S/MIME client certificate: the email in subjectAltName, key usage digital signature and key encipherment, extended key usage client authentication and
          email protection, not a CA.
        </dd>
        <dt>Key</dt>
        <dd>
          {request.bits}-bit RSA, {request.keyEncrypted ? 'encrypted with your passphrase' : 'not encrypted'}, in <code>{request.privateKeyPath}</code> (never shown
          here, never sent anywhere). Fingerprint <code className="fingerprint">{request.fingerprint}</code>
        </dd>
        <dt>Request file</dt>
        <dd>
          <code>{request.csrPath}</code>
        </dd>
      </dl>
      <pre tabIndex={0} aria-label="Certificate request (PEM)" className="csr-pem">
        {request.csrPem}
      </pre>
      <div className="actions">
        <CopyButton text={request.csrPem} label="Copy request" />
        <DownloadLink text={request.csrPem} fileName="request.csr" label="Download request.csr" />
      </div>
      <h3>Next steps with {ca?.name ?? 'your CA'}</h3>
      <ol className="next-steps">
        <li>What to order: {ca?.product ?? 'an S/MIME (client) certificate, never an SSL/TLS server certificate (Anaplan refuses those).'}</li>
        <li>Paste the request above when the CA asks for your CSR.</li>
        {ca && <li>{ca.note}</li>}
        <li>Keep the private key file where it is: the certificate only works with it. When the certificate arrives, come back here (this request waits for you).</li>
      </ol>
      <details>
        <summary>Equivalent commands (openssl)</summary>
        <p className="hint">What a person could run by hand to make the same kind of request (a new key each time):</p>
        <pre tabIndex={0}>{request.equivalentCommands.join('\n\n')}</pre>
      </details>
    </div>
  );
}
