import { type KeyObject, type X509Certificate, createPublicKey } from 'node:crypto';
import { certificateMatchesKey, isSelfSigned } from './chain-order.js';
import { COMMON_NAME_OID, attributeValues, displayName } from './distinguished-name.js';
import { publicKeyFingerprint } from './keys.js';
import { type SupportedRoots, chainEndsInSupportedRoot } from './supported-roots.js';
import { type CertificateFacts, EKU, certificateFacts, extendedKeyUsageName } from './x509-extensions.js';

/**
 * Anaplan's rules for a sign-in certificate (anaplan-facts §3), each as a finding with a stable
 * code and a message that says what is wrong and what to do. 'block' findings stop the import:
 * Anaplan would refuse the certificate. 'warn' findings are shown and the import goes on.
 */

export type FindingLevel = 'block' | 'warn';

export type FindingCode =
  | 'key_mismatch'
  | 'not_rsa'
  | 'key_too_small'
  | 'no_email'
  | 'email_differs'
  | 'no_digital_signature'
  | 'tls_server_certificate'
  | 'eku_missing_purposes'
  | 'no_extended_key_usage'
  | 'strict_smime'
  | 'ca_certificate'
  | 'self_signed'
  | 'not_yet_valid'
  | 'expired'
  | 'expires_soon'
  | 'no_revocation'
  | 'unknown_root'
  | 'validity_too_long'
  | 'unreadable_certificate'
  | 'extra_certificates';

export interface Finding {
  code: FindingCode | (string & {});
  level: FindingLevel;
  message: string;
}

export interface CheckContext {
  privateKey: KeyObject;
  expectedEmail?: string | null;
  now?: Date;
  roots: SupportedRoots;
}

const MIN_RSA_BITS = 2048;
export const EXPIRES_SOON_DAYS = 30;
/** "Valid up to about 3 years" (anaplan-facts §3): three years and a month of slack. */
export const MAX_VALIDITY_DAYS = 3 * 365 + 31;
const DAY_MS = 24 * 60 * 60 * 1000;

const ORDER_MULTIPURPOSE =
  'ask your CA for a Multipurpose S/MIME certificate for the Anaplan user\'s email address, with the purposes E-mail Protection and TLS Web Client Authentication (you can send the same request, the CSR, again)';

export function checkForAnaplan(leaf: X509Certificate, chain: X509Certificate[], context: CheckContext): Finding[] {
  let facts: CertificateFacts;
  try {
    facts = certificateFacts(leaf);
  } catch {
    return [
      block('unreadable_certificate', 'The certificate cannot be read completely (its structure is damaged or unusual), so it cannot be checked. Download it again from your CA.'),
    ];
  }
  const now = context.now ?? new Date();
  const purposes = purposeFindings(facts);
  // A TLS server certificate names a host, not a mailbox: its own finding says what to order instead.
  const isTlsServer = purposes.some((finding) => finding.code === 'tls_server_certificate');
  return [
    ...keyFindings(leaf, context.privateKey),
    ...(isTlsServer ? [] : emailFindings(facts, context.expectedEmail ?? null)),
    ...purposes,
    ...authorityFindings(leaf, facts),
    ...validityFindings(facts, now),
    ...revocationFindings(facts),
    ...rootFindings(leaf, chain, facts, context.roots),
  ];
}

/** key_mismatch, with both fingerprints so a person can tell the files apart. */
export function keyMismatchFinding(certificate: X509Certificate, privateKey: KeyObject): Finding {
  const yours = shortFingerprint(publicKeyFingerprint(privateKeyPublic(privateKey)));
  const theirs = certificateKeyFingerprint(certificate);
  if (theirs === null) {
    return block(
      'key_mismatch',
      `This certificate's public key cannot be read (it is damaged, or of a kind this assistant does not know), so it is not the one of the private key you gave (${yours}…). Download the certificate again from your CA, and choose the private key you made the request with (private-key.pem next to request.csr).`,
    );
  }
  return block(
    'key_mismatch',
    `This certificate belongs to a different key: its public key (SHA-256 ${shortFingerprint(theirs)}…) is not the one of the private key you gave (${yours}…). Choose the private key you made this request with (private-key.pem next to request.csr), or import the certificate the CA issued for this key's request.`,
  );
}

/** null when node:crypto cannot read the certificate's public key (a damaged key or an unknown algorithm). */
function certificateKeyFingerprint(certificate: X509Certificate): string | null {
  try {
    return publicKeyFingerprint(certificate.publicKey);
  } catch {
    return null;
  }
}

/** The bundle holds only CA certificates (intermediates, roots) and none for the key. */
export function onlyCaCertificatesFinding(certificates: readonly X509Certificate[]): Finding {
  const names = certificates.map((certificate) => `"${safeDisplayName(certificate)}"`).join(', ');
  return block(
    'ca_certificate',
    `This holds only CA certificates (${names}), which sign other certificates, not the certificate issued to you. Import the certificate with your email address in it (the CA's email or download page usually names it "your certificate"); the CA certificates belong in the chain.`,
  );
}

function keyFindings(leaf: X509Certificate, privateKey: KeyObject): Finding[] {
  const findings: Finding[] = [];
  if (!certificateMatchesKey(leaf, privateKey)) findings.push(keyMismatchFinding(leaf, privateKey));
  const publicKey = leaf.publicKey;
  if (publicKey.asymmetricKeyType !== 'rsa') {
    findings.push(
      block(
        'not_rsa',
        `The certificate's key is ${(publicKey.asymmetricKeyType ?? 'not RSA').toUpperCase()}; Anaplan needs RSA, 2048 bits or more. Create a new RSA key and request with this assistant, and have the CA issue the certificate again.`,
      ),
    );
    return findings;
  }
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    findings.push(
      block('key_too_small', `The certificate's RSA key is ${bits} bits; Anaplan needs ${MIN_RSA_BITS} or more. Create a new key (2048 bits or more) and request, and have the CA issue the certificate again.`),
    );
  }
  return findings;
}

/** The email must be an rfc822Name in the SAN or the subject's emailAddress; the CN does not count. */
function emailFindings(facts: CertificateFacts, expectedEmail: string | null): Finding[] {
  const emails = certificateEmails(facts);
  if (emails.length === 0) {
    const emailInCn = attributeValues(facts.subject, COMMON_NAME_OID).find((value) => value.includes('@'));
    return [
      block(
        'no_email',
        `The certificate carries no email address${emailInCn ? ` (the name "${emailInCn}" looks like one, but Anaplan does not read the common name)` : ''}. Anaplan finds the user by the email in the Subject Alternative Name (rfc822Name) or in the subject's emailAddress. Ask the CA to issue an S/MIME certificate with the Anaplan user's email address.`,
      ),
    ];
  }
  const expected = expectedEmail?.trim().toLowerCase();
  if (expected && !emails.some((email) => email.toLowerCase() === expected)) {
    return [
      warn(
        'email_differs',
        `The certificate is for ${emails.join(', ')}, not for ${expectedEmail?.trim()} as expected. Anaplan signs in the user whose email is in the certificate: make sure that is the Anaplan user the jobs should run as, or import the certificate issued for ${expectedEmail?.trim()}.`,
      ),
    ];
  }
  return [];
}

/** SAN rfc822Names first (Anaplan's preference), then the subject's emailAddress. */
export function certificateEmails(facts: CertificateFacts): string[] {
  const all = [...facts.sanEmails, ...facts.subjectEmails].map((email) => email.trim()).filter((email) => email !== '');
  return all.filter((email, index) => all.findIndex((other) => other.toLowerCase() === email.toLowerCase()) === index);
}

function purposeFindings(facts: CertificateFacts): Finding[] {
  const findings: Finding[] = [];
  if (facts.keyUsage && !facts.keyUsage.includes('digitalSignature')) {
    findings.push(
      block(
        'no_digital_signature',
        `The certificate's Key Usage (${facts.keyUsage.join(', ') || 'empty'}) lacks Digital Signature, which Anaplan needs: signing in is a signature made with the key. ${capitalize(ORDER_MULTIPURPOSE)}.`,
      ),
    );
  } else if (!facts.keyUsage) {
    findings.push(
      warn('no_digital_signature', 'The certificate has no Key Usage extension. Anaplan lists Digital Signature; a certificate without Key Usage allows it, but check with Anaplan that it is accepted.'),
    );
  }

  const eku = facts.extendedKeyUsage;
  if (!eku) {
    findings.push(
      warn(
        'no_extended_key_usage',
        'The certificate has no Extended Key Usage. Anaplan lists TLS Web Client Authentication and E-mail Protection; check with Anaplan that a certificate without them is accepted.',
      ),
    );
    return findings;
  }
  const client = eku.includes(EKU.clientAuth);
  const email = eku.includes(EKU.emailProtection);
  const purposes = eku.map(extendedKeyUsageName).join(', ');
  if (eku.includes(EKU.serverAuth) && !email) {
    const hosts = facts.dnsNames.length > 0 ? ` for ${facts.dnsNames.join(', ')}` : '';
    findings.push(
      block(
        'tls_server_certificate',
        `This is a TLS server certificate${hosts} (Extended Key Usage: ${purposes}). Anaplan needs an S/MIME (client) certificate and refuses server certificates: ${ORDER_MULTIPURPOSE}.`,
      ),
    );
  } else if (!client && !email && !eku.includes(EKU.anyExtendedKeyUsage)) {
    findings.push(
      block(
        'eku_missing_purposes',
        `The certificate is limited to other purposes (Extended Key Usage: ${purposes}) and has neither TLS Web Client Authentication nor E-mail Protection, which Anaplan needs: ${ORDER_MULTIPURPOSE}.`,
      ),
    );
  } else if (email && !client) {
    findings.push(
      warn(
        'strict_smime',
        'This is a Strict S/MIME certificate: E-mail Protection only, without TLS Web Client Authentication. Anaplan lists both purposes, so check with Anaplan that it accepts this certificate before you rely on it; if not, ask the CA for a Multipurpose S/MIME certificate, which carries both.',
      ),
    );
  }
  return findings;
}

function authorityFindings(leaf: X509Certificate, facts: CertificateFacts): Finding[] {
  const findings: Finding[] = [];
  if (facts.isCa) {
    findings.push(
      block(
        'ca_certificate',
        'This is a CA certificate (Basic Constraints CA:TRUE): it is made to sign other certificates, and Anaplan does not take it as a user certificate. Ask your CA for an end-entity S/MIME certificate for your request.',
      ),
    );
  }
  if (isSelfSigned(leaf)) {
    findings.push(
      block(
        'self_signed',
        "This certificate is self-signed (it signed itself). Anaplan refuses self-signed certificates: the chain must end in a public root on Anaplan's supported list. Send your request (CSR) to a public CA such as Sectigo, DigiCert, GlobalSign or QuoVadis, or use the OAuth 2.0 device grant instead of a certificate.",
      ),
    );
  }
  return findings;
}

function validityFindings(facts: CertificateFacts, now: Date): Finding[] {
  const findings: Finding[] = [];
  if (now < facts.notBefore) {
    findings.push(
      block(
        'not_yet_valid',
        `This certificate is valid only from ${utc(facts.notBefore)}; until then Anaplan refuses it. Import it again from that moment, or check this computer's clock and time zone (it says ${utc(now)}).`,
      ),
    );
  }
  if (now > facts.notAfter) {
    findings.push(
      block('expired', `This certificate expired on ${utc(facts.notAfter)}, and Anaplan refuses expired certificates. Renew it with your CA (best with a new key and request), then import the new certificate.`),
    );
  } else {
    const daysLeft = Math.floor((facts.notAfter.getTime() - now.getTime()) / DAY_MS);
    if (daysLeft <= EXPIRES_SOON_DAYS) {
      findings.push(
        warn(
          'expires_soon',
          `This certificate expires on ${utc(facts.notAfter)}, in ${daysLeft === 0 ? 'less than a day' : `${daysLeft} day${daysLeft === 1 ? '' : 's'}`}. Jobs stop signing in the moment it does: order the renewal now, and plan to give the new certificate to the Tenant Administrator and the integration server in time.`,
        ),
      );
    }
  }
  const validityDays = Math.round((facts.notAfter.getTime() - facts.notBefore.getTime()) / DAY_MS);
  if (validityDays > MAX_VALIDITY_DAYS) {
    findings.push(
      warn(
        'validity_too_long',
        `This certificate is valid for ${validityDays} days (about ${(validityDays / 365).toFixed(1)} years); Anaplan accepts certificates valid for up to about 3 years. Check with Anaplan that it accepts this one.`,
      ),
    );
  }
  return findings;
}

function revocationFindings(facts: CertificateFacts): Finding[] {
  if (facts.hasCrlDistributionPoint || facts.ocspUrls.length > 0) return [];
  return [
    warn(
      'no_revocation',
      'The certificate names no CRL distribution point and no OCSP responder. Anaplan checks revocation when you sign in, so it may refuse this certificate: check with your CA (public S/MIME certificates carry both).',
    ),
  ];
}

function rootFindings(leaf: X509Certificate, chain: X509Certificate[], facts: CertificateFacts, roots: SupportedRoots): Finding[] {
  // A self-signed leaf has its own finding; "not under a supported root" would say it twice.
  if (isSelfSigned(leaf)) return [];
  const match = chainEndsInSupportedRoot(leaf, chain, roots);
  if (match.supported) return [];
  return [
    warn(
      'unknown_root',
      `Not recognised as under a root Anaplan supports: ${match.reason ?? 'the chain is not on the list'} (issuer of this certificate: "${displayName(facts.issuer)}"; list: ${roots.source}). Anaplan checks the chain itself when you sign in and refuses private and internal roots; if your CA is a public CA Anaplan supports, this warning only means the list here is older than Anaplan's.`,
    ),
  ];
}

function block(code: FindingCode, message: string): Finding {
  return { code, level: 'block', message };
}

function warn(code: FindingCode, message: string): Finding {
  return { code, level: 'warn', message };
}

function utc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function shortFingerprint(fingerprint: string): string {
  return fingerprint.slice(0, 23);
}

/** createPublicKey derives the public half of a private KeyObject. */
function privateKeyPublic(privateKey: KeyObject): KeyObject {
  return privateKey.type === 'private' ? createPublicKey(privateKey) : privateKey;
}

function safeDisplayName(certificate: X509Certificate): string {
  try {
    return displayName(certificateFacts(certificate).subject);
  } catch {
    // node:crypto gives undefined for an empty name, whatever its types say.
    return (certificate.subject ?? '').replace(/\n/g, ', ');
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
