import { AppError } from '../errors.js';

/**
 * What each certificate authority needs from a certificate signing request, as data the team can
 * extend. Anaplan accepts an S/MIME ("client", "personal authentication") certificate from a
 * public CA on its supported root list, never an SSL/TLS server certificate (anaplan-facts §3).
 * Product names below are the CAs' own words where known; CAs rename products, so every text
 * tells the person what to ask for (the purposes), not a SKU.
 */

export const CA_PROFILE_IDS = ['sectigo', 'digicert', 'globalsign', 'quovadis', 'other'] as const;
export type CaProfileId = (typeof CA_PROFILE_IDS)[number];

export type SubjectField = 'commonName' | 'email' | 'organization' | 'organizationalUnit' | 'locality' | 'state' | 'country';

export type FieldUse = 'required' | 'optional' | 'ignored';

export interface CaProfile {
  id: CaProfileId;
  name: string;
  /** What to order, in plain words. */
  product: string;
  /** What this CA keeps or needs from a CSR (commonName and email are always required). */
  fields: Record<SubjectField, FieldUse>;
  keySizes: Array<2048 | 3072 | 4096>;
  hash: 'sha256' | 'sha512';
  /** Anaplan's CSR template allows 40 characters for emailAddress (anaplan-facts §3). */
  emailMaxLength: number;
  /** Shown in the UI: what happens next with this CA, and which subject fields it may discard. */
  note: string;
}

export const SUBJECT_FIELDS: readonly SubjectField[] = ['commonName', 'email', 'organization', 'organizationalUnit', 'locality', 'state', 'country'];

/** The two purposes Anaplan lists (anaplan-facts §3): a Multipurpose S/MIME profile carries both. */
const PURPOSES =
  'with both purposes Anaplan lists: E-mail Protection (1.3.6.1.5.5.7.3.4) and TLS Web Client Authentication (1.3.6.1.5.5.7.3.2). A "Strict" S/MIME profile leaves client authentication out, so choose "Multipurpose" where the CA offers the choice. Not an SSL/TLS (server) certificate: Anaplan refuses those.';

const ANAPLAN_EMAIL_MAX = 40;

const ALL_OPTIONAL: Record<SubjectField, FieldUse> = {
  commonName: 'required',
  email: 'required',
  organization: 'optional',
  organizationalUnit: 'optional',
  locality: 'optional',
  state: 'optional',
  country: 'optional',
};

export const CA_PROFILES: readonly CaProfile[] = [
  {
    id: 'sectigo',
    name: 'Sectigo',
    product: `An S/MIME certificate (Sectigo sells them as "Personal Authentication" certificates; in Sectigo Certificate Manager, a Multipurpose S/MIME profile), ${PURPOSES}`,
    fields: { ...ALL_OPTIONAL },
    keySizes: [2048, 3072, 4096],
    hash: 'sha256',
    emailMaxLength: ANAPLAN_EMAIL_MAX,
    note: 'Anaplan suggests Sectigo. Sectigo first checks that you control the mailbox (an email with a link or code). A mailbox-validated (basic) certificate keeps only the email address and drops the name and organization from this request; higher levels keep the name and organization after checking them.',
  },
  {
    id: 'digicert',
    name: 'DigiCert',
    product: `A DigiCert Secure Email (S/MIME) certificate, for example for an individual or an employee, ${PURPOSES}`,
    // DigiCert documents that it takes only the public key from a CSR and ignores every other field.
    fields: { ...ALL_OPTIONAL, organization: 'ignored', organizationalUnit: 'ignored', locality: 'ignored', state: 'ignored', country: 'ignored' },
    keySizes: [2048, 3072, 4096],
    hash: 'sha256',
    emailMaxLength: ANAPLAN_EMAIL_MAX,
    note: 'Choose the Multipurpose S/MIME profile in the order: a DigiCert order without a profile is Strict, which has no client authentication. DigiCert takes only the public key from this request: the name, email and organization in the certificate come from the order form and from its validation (an email to the mailbox; organization validation for employee certificates). Enter them in the order exactly as here.',
  },
  {
    id: 'globalsign',
    name: 'GlobalSign',
    product: `A GlobalSign PersonalSign (S/MIME) certificate ${PURPOSES}`,
    // GlobalSign dropped the organizational unit from PersonalSign under the S/MIME Baseline Requirements.
    fields: { ...ALL_OPTIONAL, organizationalUnit: 'ignored' },
    keySizes: [2048, 3072, 4096],
    hash: 'sha256',
    emailMaxLength: ANAPLAN_EMAIL_MAX,
    note: 'GlobalSign approves the order by an email to the mailbox. The entry level is mailbox-validated (email only); department and Pro levels also validate the organization. The organizational unit (OU) is not carried into the certificate.',
  },
  {
    id: 'quovadis',
    name: 'QuoVadis (DigiCert)',
    product: `A QuoVadis personal / S/MIME certificate ${PURPOSES}`,
    fields: { ...ALL_OPTIONAL },
    keySizes: [2048, 3072, 4096],
    hash: 'sha256',
    emailMaxLength: ANAPLAN_EMAIL_MAX,
    note: 'QuoVadis validates the mailbox and, for organization certificates, your organization; it may replace or drop subject fields from this request. Confirm with QuoVadis that the product includes client authentication before you order.',
  },
  {
    id: 'other',
    name: 'Other public CA (S/MIME)',
    product: `An S/MIME (client / personal authentication) certificate from a CA whose chain ends in a root on Anaplan's supported root list, ${PURPOSES}`,
    fields: { ...ALL_OPTIONAL },
    keySizes: [2048, 3072, 4096],
    hash: 'sha256',
    emailMaxLength: ANAPLAN_EMAIL_MAX,
    note: "Check with the CA which subject fields it keeps: under the S/MIME Baseline Requirements a CA may drop any field it did not validate. Anaplan needs the email in the certificate (Subject Alternative Name preferred) and the Digital Signature key usage. An internal CA only works as an intermediate under a root on Anaplan's list.",
  },
];

export function caProfile(id: CaProfileId): CaProfile {
  const profile = CA_PROFILES.find((candidate) => candidate.id === id);
  if (!profile) {
    throw new AppError(
      'bad_input',
      `"${String(id)}" is not a known certificate authority. Choose one of: ${CA_PROFILES.map((known) => known.id).join(', ')}.`,
      { caProfileId: id },
    );
  }
  return profile;
}

export interface UnsupportedCa {
  match: RegExp;
  name: string;
  message: string;
}

const ALTERNATIVES =
  "Use the OAuth 2.0 device grant instead (no certificate needed), or order an S/MIME certificate from a CA on Anaplan's list (Sectigo, DigiCert, GlobalSign, QuoVadis).";

export const UNSUPPORTED_CAS: readonly UnsupportedCa[] = [
  {
    match: /\bin\s*common\b/i,
    name: 'InCommon',
    // anaplan-facts §3: InCommon's Certificate Service sells client (S/MIME) certificates too, through Sectigo, chaining to roots on Anaplan's list.
    message:
      "InCommon (with Sectigo) issues client (S/MIME) certificates as well as SSL/TLS ones, and they chain to Sectigo/USERTrust roots Anaplan accepts: certificate sign-in may well work for you. Ask your InCommon administrator whether your subscription includes client certificates (\"InCommon Personal Certificates\", enrolled at Sectigo Certificate Manager's S/MIME page). If yours is generated in the browser and downloaded as a PKCS#12 file (.p12 or .pfx, holding the key), import that file as it is on the Import certificate step: no request is needed. A TLS server certificate will not do. If client certificates are not available, use the OAuth 2.0 device grant instead (no certificate needed).",
  },
  {
    match: /\blet'?s\s*encrypt\b/i,
    name: "Let's Encrypt",
    message: `Anaplan does not list Let's Encrypt: it issues SSL/TLS server certificates only, no S/MIME certificates, and Anaplan refuses server certificates. ${ALTERNATIVES}`,
  },
  {
    match: /\bself[\s-]*signed\b/i,
    name: 'A self-signed certificate',
    message: `Anaplan does not accept self-signed certificates: the chain must end in a public root on Anaplan's list. ${ALTERNATIVES}`,
  },
  {
    match: /\b(internal|private|in[\s-]*house|corporate|company|enterprise|own)\s+(root\s+)?(ca|pki|certificate authority)\b|\bactive\s+directory\s+certificate|\bad\s*cs\b|\bmicrosoft\s+ca\b/i,
    name: 'An internal or private CA',
    message: `Anaplan does not list private or internal root CAs: the chain must end in a public root on Anaplan's list (an internal CA works only as an intermediate signed by such a root). ${ALTERNATIVES}`,
  },
];

/** The first unsupported CA that `text` (what a person typed as their CA) names, if any. */
export function unsupportedCa(text: string): UnsupportedCa | undefined {
  return UNSUPPORTED_CAS.find((candidate) => candidate.match.test(text));
}
