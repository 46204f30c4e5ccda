import type { KeyObject, X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError, type FieldMessage } from '../errors.js';
import { writeFilesSafely } from '../fs/atomic.js';
import { type Finding, certificateEmails, checkForAnaplan, keyMismatchFinding, onlyCaCertificatesFinding } from './certificate-checks.js';
import { MAX_REPLY_CERTIFICATES, type ParsedBundle, parseCertificateBundle } from './certificate-parse.js';
import { certificateMatchesKey, orderChain } from './chain-order.js';
import { displayName, formatName } from './distinguished-name.js';
import { readPrivateKeyFile } from './keys.js';
import { DEFAULT_ALIAS, aliasProblem, buildPkcs12, keystorePasswordProblem } from './keystore.js';
import { toPem } from './pem.js';
import { loadRoots } from './supported-roots.js';
import { certificateFacts } from './x509-extensions.js';

/**
 * From what the CA sent back to what Anaplan Connect, the Tenant Administrator and Boomi need:
 * certificate.pem (the leaf, one PEM block: -certificate, and the upload under Administration ›
 * Security › Certificates, anaplan-facts §3), chain.pem (intermediates and root) and keystore.p12
 * (-keystore, Boomi's bundle). Checked against Anaplan's rules first; a blocking finding writes nothing.
 */

export const CERTIFICATE_FILE = 'certificate.pem';
export const CHAIN_FILE = 'chain.pem';
export const KEYSTORE_FILE = 'keystore.p12';

/** Every output holds or protects sign-in material for the account: readable by its owner only. */
const OUTPUT_MODE = 0o600;

/** CA replies are a few kilobytes; anything far bigger is the wrong file. */
const MAX_SOURCE_BYTES = 10 * 1024 * 1024;

export interface ImportInput {
  /** A file, or pasted PEM text. */
  /** A file on this machine, pasted text, or a file uploaded from the person's own machine (browser front door: DER, P7B, PFX arrive by e-mail there). */
  source: { path: string } | { text: string } | { upload: { name: string; base64: string } };
  /** The pending request's key or a key file; null only when the bundle is a PKCS#12 that holds the key. */
  key: { path: string; passphrase: string | null } | null;
  /** The PKCS#12 password. */
  filePassword?: string | null;
  outDir: string;
  /** Default 'anaplan-connect'. */
  alias?: string;
  keystorePassword: string;
  overwrite: boolean;
  expectedEmail?: string | null;
  rootsFile?: string | null;
  now?: Date;
}

export interface CertificateSummary {
  subject: string;
  email: string;
  /** ISO 8601. */
  notAfter: string;
  notBefore: string;
  /** SHA-256 of the leaf DER, "AA:BB:…". */
  fingerprint: string;
  issuer: string;
  findings: Finding[];
  /** Certificates from the leaf up, the leaf included (leaf + intermediates + root when sent). */
  chainLength: number;
}

export interface ImportResult extends CertificateSummary {
  certificatePath: string;
  chainPath: string | null;
  keystorePath: string;
  alias: string;
}

export type PreviewInput = Omit<ImportInput, 'outDir' | 'overwrite' | 'keystorePassword' | 'alias'> & { keystorePassword?: string };

/**
 * Parse, find the certificate for the key, check it: writes nothing, and reports blocking findings
 * instead of throwing them. A keystore password, when already typed, is checked too.
 */
export async function previewImport(input: PreviewInput): Promise<CertificateSummary> {
  if (input.keystorePassword) refuseFieldProblems(outputProblems(null, input.keystorePassword));
  const analysis = await analyse(input);
  return summarize(analysis);
}

export async function importCertificate(input: ImportInput): Promise<ImportResult> {
  const alias = input.alias ?? DEFAULT_ALIAS;
  refuseFieldProblems(outputProblems(alias, input.keystorePassword));
  const analysis = await analyse(input);
  const blocking = analysis.findings.filter((finding) => finding.level === 'block');
  if (blocking.length > 0 || !analysis.privateKey) throw blockedError(blocking, analysis.findings);

  const keystore = buildPkcs12(analysis.privateKey, analysis.leaf, analysis.chain, { alias, password: input.keystorePassword });
  const outDir = resolve(input.outDir);
  const files = [
    { name: CERTIFICATE_FILE, content: toPem('CERTIFICATE', analysis.leaf.raw), mode: OUTPUT_MODE },
    ...(analysis.chain.length > 0 ? [{ name: CHAIN_FILE, content: analysis.chain.map((certificate) => toPem('CERTIFICATE', certificate.raw)).join(''), mode: OUTPUT_MODE }] : []),
    { name: KEYSTORE_FILE, content: keystore, mode: OUTPUT_MODE },
  ];
  await writeFilesSafely(outDir, files, { overwrite: input.overwrite });
  return {
    ...summarize(analysis),
    certificatePath: join(outDir, CERTIFICATE_FILE),
    chainPath: analysis.chain.length > 0 ? join(outDir, CHAIN_FILE) : null,
    keystorePath: join(outDir, KEYSTORE_FILE),
    alias,
  };
}

interface Analysis {
  /** The certificate for the key; when none matches, the one the findings are about. */
  leaf: X509Certificate;
  chain: X509Certificate[];
  /** null when no certificate matched the key. */
  privateKey: KeyObject | null;
  findings: Finding[];
  expectedEmail: string | null;
}

async function analyse(input: PreviewInput): Promise<Analysis> {
  const { bytes, sourceName } = await readSource(input.source);
  const bundle = parseCertificateBundle(bytes, { filePassword: input.filePassword ?? null, sourceName, maxCertificates: MAX_REPLY_CERTIFICATES });
  const privateKey = await resolveKey(input.key, bundle, sourceName);
  const roots = await loadRoots(input.rootsFile);
  const expectedEmail = input.expectedEmail ?? null;

  const leaf = bundle.certificates.find((certificate) => certificateMatchesKey(certificate, privateKey));
  if (!leaf) {
    const endEntities = bundle.certificates.filter((certificate) => !isCa(certificate));
    const shown = endEntities[0] ?? bundle.certificates[0];
    if (!shown) throw new Error('a parsed bundle always holds a certificate');
    const finding = endEntities.length === 0 ? onlyCaCertificatesFinding(bundle.certificates) : keyMismatchFinding(shown, privateKey);
    return { leaf: shown, chain: [], privateKey: null, findings: [finding], expectedEmail };
  }
  const { chain, unrelated } = orderChain(leaf, bundle.certificates);
  const findings = checkForAnaplan(leaf, chain, { privateKey, expectedEmail, roots, ...(input.now ? { now: input.now } : {}) });
  if (unrelated.length > 0) {
    findings.push({
      code: 'extra_certificates',
      level: 'warn',
      message: `Left out ${unrelated.length === 1 ? 'a certificate' : `${unrelated.length} certificates`} of the file that ${unrelated.length === 1 ? 'is' : 'are'} not on this certificate's chain: ${unrelated.map((certificate) => `"${nameOf(certificate)}"`).join(', ')}.`,
    });
  }
  return { leaf, chain, privateKey, findings, expectedEmail };
}

async function readSource(source: ImportInput['source']): Promise<{ bytes: Buffer; sourceName: string }> {
  if ('text' in source) return { bytes: Buffer.from(source.text, 'utf8'), sourceName: 'The pasted text' };
  if ('upload' in source) return { bytes: Buffer.from(source.upload.base64, 'base64'), sourceName: `The uploaded file ${source.upload.name}` };
  const path = source.path;
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw sourceError(path, `${path} is not a file. Choose the certificate file your CA sent.`);
    if (stats.size > MAX_SOURCE_BYTES) throw sourceError(path, `${path} is ${stats.size} bytes: far too big for a certificate file. Choose the certificate file your CA sent.`);
    return { bytes: await readFile(path), sourceName: path };
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw sourceError(path, `There is no file at ${path}. Check the path of the certificate file.`);
    if (code === 'EACCES' || code === 'EPERM') throw new AppError('io', `Could not read ${path}: permission denied. Run as an account that can read it, or copy it somewhere you can.`, { path });
    throw new AppError('io', `Could not read ${path}: ${error instanceof Error ? error.message : String(error)}.`, { path });
  }
}

function sourceError(path: string, message: string): AppError {
  return new AppError('bad_input', message, { path, problems: [{ field: 'certificate', message }] });
}

async function resolveKey(key: ImportInput['key'], bundle: ParsedBundle, sourceName: string): Promise<KeyObject> {
  if (key) return readPrivateKeyFile(key.path, key.passphrase);
  if (bundle.privateKey) return bundle.privateKey;
  const message =
    bundle.format === 'pkcs12'
      ? `${sourceName} is a PKCS#12 file without a private key in it. Give the private key the request was made with (private-key.pem next to request.csr).`
      : 'Give the private key the request was made with (private-key.pem next to request.csr): the certificate is only usable together with it.';
  throw new AppError('bad_input', message, { problems: [{ field: 'key', message }] });
}

/** The alias (null: not asked for) and keystore password, checked before anything is read. */
function outputProblems(alias: string | null, keystorePassword: string): FieldMessage[] {
  const problems: FieldMessage[] = [];
  const aliasMessage = alias === null ? null : aliasProblem(alias);
  if (aliasMessage) problems.push({ field: 'alias', message: aliasMessage });
  const passwordMessage = keystorePasswordProblem(keystorePassword);
  if (passwordMessage) problems.push({ field: 'keystorePassword', message: passwordMessage });
  return problems;
}

function refuseFieldProblems(problems: FieldMessage[]): void {
  if (problems.length === 0) return;
  const message = problems.length === 1 ? `${problems[0]?.message ?? ''} Nothing was written.` : `Fix these first (nothing was written):\n${problems.map((problem) => `${problem.field}: ${problem.message}`).join('\n')}`;
  throw new AppError('bad_input', message, { problems });
}

function blockedError(blocking: Finding[], findings: Finding[]): AppError {
  const lines = blocking.map((finding) => `- ${finding.message}`).join('\n');
  return new AppError(
    'bad_input',
    `This certificate cannot be used to sign in to Anaplan, so nothing was written:\n${lines}`,
    { findings, problems: blocking.map((finding) => ({ field: finding.code === 'key_mismatch' ? 'key' : 'certificate', message: finding.message })) },
  );
}

function summarize(analysis: Analysis): CertificateSummary {
  const { leaf } = analysis;
  let subject = opensslName(leaf.subject);
  let issuer = opensslName(leaf.issuer);
  let email = '';
  let notBefore = isoDate(leaf.validFrom);
  let notAfter = isoDate(leaf.validTo);
  try {
    const facts = certificateFacts(leaf);
    subject = formatName(facts.subject);
    issuer = formatName(facts.issuer);
    const emails = certificateEmails(facts);
    const expected = analysis.expectedEmail?.trim().toLowerCase();
    email = emails.find((candidate) => candidate.toLowerCase() === expected) ?? emails[0] ?? '';
    notBefore = facts.notBefore.toISOString();
    notAfter = facts.notAfter.toISOString();
  } catch {
    // checkForAnaplan has reported the certificate as unreadable; node:crypto's view is shown instead.
  }
  return { subject, email, notAfter, notBefore, fingerprint: leaf.fingerprint256, issuer, findings: analysis.findings, chainLength: 1 + analysis.chain.length };
}

/** node:crypto's date text as ISO 8601; empty when OpenSSL could not read the date ("Bad time value"). */
function isoDate(text: string): string {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

function isCa(certificate: X509Certificate): boolean {
  try {
    return certificateFacts(certificate).isCa;
  } catch {
    return certificate.ca;
  }
}

function nameOf(certificate: X509Certificate): string {
  try {
    return displayName(certificateFacts(certificate).subject);
  } catch {
    return opensslName(certificate.subject);
  }
}

/** node:crypto's one-name-per-line text on one line; node:crypto gives undefined for an empty name, whatever its types say. */
function opensslName(text: string | undefined): string {
  return (text ?? '').replace(/\n/g, ', ');
}
