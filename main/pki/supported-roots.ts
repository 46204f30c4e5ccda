import type { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import * as z from 'zod';
import { AppError, type FieldMessage } from '../errors.js';
import { isSelfSigned, issuedBy } from './chain-order.js';
import { type DistinguishedName, displayName, formatName, parseNameText, sameName } from './distinguished-name.js';
import { certificateFacts } from './x509-extensions.js';

/**
 * The roots Anaplan accepts certificates under (anaplan-facts §3: Sectigo suggested; GlobalSign,
 * QuoVadis and DigiCert evaluated), as data. Anaplan's own list is the authority and changes:
 * this is a snapshot, and a JSON file (loadRoots) replaces or extends it without a new version.
 * A chain outside the list is only ever a warning: Anaplan decides when the user signs in.
 */

export interface SupportedRoot {
  name: string;
  /** The root's subject DN, "C=…, O=…, CN=…" (any order, as OpenSSL prints it). */
  subject?: string;
  /** SHA-256 of the root certificate's DER, "AA:BB:…". */
  sha256?: string;
}

export interface SupportedRoots {
  roots: SupportedRoot[];
  source: string;
}

/**
 * Subjects and fingerprints marked "Mozilla" were read from the root certificates of the Mozilla
 * root store as Debian's ca-certificates package ships them (openssl x509 -fingerprint -sha256).
 * The S/MIME-only roots are not in that package: they carry their subject DN only (as listed in
 * the CCADB), so they match by name.
 */
const BUILT_IN: readonly SupportedRoot[] = [
  // Sectigo (formerly Comodo; USERTrust is Sectigo's), the CA Anaplan suggests.
  { name: 'Sectigo AAA Certificate Services', subject: 'C=GB, ST=Greater Manchester, L=Salford, O=Comodo CA Limited, CN=AAA Certificate Services', sha256: 'D7:A7:A0:FB:5D:7E:27:31:D7:71:E9:48:4E:BC:DE:F7:1D:5F:0C:3E:0A:29:48:78:2B:C8:3E:E0:EA:69:9E:F4' }, // Mozilla
  { name: 'USERTrust RSA Certification Authority', subject: 'C=US, ST=New Jersey, L=Jersey City, O=The USERTRUST Network, CN=USERTrust RSA Certification Authority', sha256: 'E7:93:C9:B0:2F:D8:AA:13:E2:1C:31:22:8A:CC:B0:81:19:64:3B:74:9C:89:89:64:B1:74:6D:46:C3:D4:CB:D2' }, // Mozilla
  { name: 'USERTrust ECC Certification Authority', subject: 'C=US, ST=New Jersey, L=Jersey City, O=The USERTRUST Network, CN=USERTrust ECC Certification Authority', sha256: '4F:F4:60:D5:4B:9C:86:DA:BF:BC:FC:57:12:E0:40:0D:2B:ED:3F:BC:4D:4F:BD:AA:86:E0:6A:DC:D2:A9:AD:7A' }, // Mozilla
  { name: 'COMODO RSA Certification Authority', subject: 'C=GB, ST=Greater Manchester, L=Salford, O=COMODO CA Limited, CN=COMODO RSA Certification Authority', sha256: '52:F0:E1:C4:E5:8E:C6:29:29:1B:60:31:7F:07:46:71:B8:5D:7E:A8:0D:5B:07:27:34:63:53:4B:32:B4:02:34' }, // Mozilla
  { name: 'COMODO ECC Certification Authority', subject: 'C=GB, ST=Greater Manchester, L=Salford, O=COMODO CA Limited, CN=COMODO ECC Certification Authority', sha256: '17:93:92:7A:06:14:54:97:89:AD:CE:2F:8F:34:F7:F0:B6:6D:0F:3A:E3:A3:B8:4D:21:EC:15:DB:BA:4F:AD:C7' }, // Mozilla
  { name: 'COMODO Certification Authority', subject: 'C=GB, ST=Greater Manchester, L=Salford, O=COMODO CA Limited, CN=COMODO Certification Authority', sha256: '0C:2C:D6:3D:F7:80:6F:A3:99:ED:E8:09:11:6B:57:5B:F8:79:89:F0:65:18:F9:80:8C:86:05:03:17:8B:AF:66' }, // Mozilla
  { name: 'Sectigo Public Email Protection Root R46', subject: 'C=GB, O=Sectigo Limited, CN=Sectigo Public Email Protection Root R46' },
  { name: 'Sectigo Public Email Protection Root E46', subject: 'C=GB, O=Sectigo Limited, CN=Sectigo Public Email Protection Root E46' },
  // DigiCert
  { name: 'DigiCert Assured ID Root CA', subject: 'C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Assured ID Root CA', sha256: '3E:90:99:B5:01:5E:8F:48:6C:00:BC:EA:9D:11:1E:E7:21:FA:BA:35:5A:89:BC:F1:DF:69:56:1E:3D:C6:32:5C' }, // Mozilla
  { name: 'DigiCert Assured ID Root G2', subject: 'C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Assured ID Root G2', sha256: '7D:05:EB:B6:82:33:9F:8C:94:51:EE:09:4E:EB:FE:FA:79:53:A1:14:ED:B2:F4:49:49:45:2F:AB:7D:2F:C1:85' }, // Mozilla
  { name: 'DigiCert Assured ID Root G3', subject: 'C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Assured ID Root G3', sha256: '7E:37:CB:8B:4C:47:09:0C:AB:36:55:1B:A6:F4:5D:B8:40:68:0F:BA:16:6A:95:2D:B1:00:71:7F:43:05:3F:C2' }, // Mozilla
  { name: 'DigiCert Global Root CA', subject: 'C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Global Root CA', sha256: '43:48:A0:E9:44:4C:78:CB:26:5E:05:8D:5E:89:44:B4:D8:4F:96:62:BD:26:DB:25:7F:89:34:A4:43:C7:01:61' }, // Mozilla
  { name: 'DigiCert Global Root G2', subject: 'C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Global Root G2', sha256: 'CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F' }, // Mozilla
  { name: 'DigiCert Global Root G3', subject: 'C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Global Root G3', sha256: '31:AD:66:48:F8:10:41:38:C7:38:F3:9E:A4:32:01:33:39:3E:3A:18:CC:02:29:6E:F9:7C:2A:C9:EF:67:31:D0' }, // Mozilla
  { name: 'DigiCert Trusted Root G4', subject: 'C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Trusted Root G4', sha256: '55:2F:7B:DC:F1:A7:AF:9E:6C:E6:72:01:7F:4F:12:AB:F7:72:40:C7:8E:76:1A:C2:03:D1:D9:D2:0A:C8:99:88' }, // Mozilla
  { name: 'DigiCert SMIME RSA4096 Root G5', subject: 'C=US, O=DigiCert\\, Inc., CN=DigiCert SMIME RSA4096 Root G5' },
  { name: 'DigiCert SMIME ECC P384 Root G5', subject: 'C=US, O=DigiCert\\, Inc., CN=DigiCert SMIME ECC P384 Root G5' },
  // GlobalSign
  { name: 'GlobalSign Root CA (R1)', subject: 'C=BE, O=GlobalSign nv-sa, OU=Root CA, CN=GlobalSign Root CA', sha256: 'EB:D4:10:40:E4:BB:3E:C7:42:C9:E3:81:D3:1E:F2:A4:1A:48:B6:68:5C:96:E7:CE:F3:C1:DF:6C:D4:33:1C:99' }, // Mozilla
  { name: 'GlobalSign Root CA - R3', subject: 'OU=GlobalSign Root CA - R3, O=GlobalSign, CN=GlobalSign', sha256: 'CB:B5:22:D7:B7:F1:27:AD:6A:01:13:86:5B:DF:1C:D4:10:2E:7D:07:59:AF:63:5A:7C:F4:72:0D:C9:63:C5:3B' }, // Mozilla
  { name: 'GlobalSign Root CA - R6', subject: 'OU=GlobalSign Root CA - R6, O=GlobalSign, CN=GlobalSign', sha256: '2C:AB:EA:FE:37:D0:6C:A2:2A:BA:73:91:C0:03:3D:25:98:29:52:C4:53:64:73:49:76:3A:3A:B5:AD:6C:CF:69' }, // Mozilla
  { name: 'GlobalSign ECC Root CA - R5', subject: 'OU=GlobalSign ECC Root CA - R5, O=GlobalSign, CN=GlobalSign', sha256: '17:9F:BC:14:8A:3D:D0:0F:D2:4E:A1:34:58:CC:43:BF:A7:F5:9C:81:82:D7:83:A5:13:F6:EB:EC:10:0C:89:24' }, // Mozilla
  { name: 'GlobalSign Root R46', subject: 'C=BE, O=GlobalSign nv-sa, CN=GlobalSign Root R46', sha256: '4F:A3:12:6D:8D:3A:11:D1:C4:85:5A:4F:80:7C:BA:D6:CF:91:9D:3A:5A:88:B0:3B:EA:2C:63:72:D9:3C:40:C9' }, // Mozilla
  { name: 'GlobalSign Root E46', subject: 'C=BE, O=GlobalSign nv-sa, CN=GlobalSign Root E46', sha256: 'CB:B9:C4:4D:84:B8:04:3E:10:50:EA:31:A6:9F:51:49:55:D7:BF:D2:E2:C6:B4:93:01:01:9A:D6:1D:9F:50:58' }, // Mozilla
  { name: 'GlobalSign Secure Mail Root R45', subject: 'C=BE, O=GlobalSign nv-sa, CN=GlobalSign Secure Mail Root R45' },
  { name: 'GlobalSign Secure Mail Root E45', subject: 'C=BE, O=GlobalSign nv-sa, CN=GlobalSign Secure Mail Root E45' },
  // QuoVadis (part of DigiCert)
  { name: 'QuoVadis Root CA 2', subject: 'C=BM, O=QuoVadis Limited, CN=QuoVadis Root CA 2', sha256: '85:A0:DD:7D:D7:20:AD:B7:FF:05:F8:3D:54:2B:20:9D:C7:FF:45:28:F7:D6:77:B1:83:89:FE:A5:E5:C4:9E:86' }, // Mozilla
  { name: 'QuoVadis Root CA 3', subject: 'C=BM, O=QuoVadis Limited, CN=QuoVadis Root CA 3', sha256: '18:F1:FC:7F:20:5D:F8:AD:DD:EB:7F:E0:07:DD:57:E3:AF:37:5A:9C:4D:8D:73:54:6B:F4:F1:FE:D1:E1:8D:35' }, // Mozilla
  { name: 'QuoVadis Root CA 1 G3', subject: 'C=BM, O=QuoVadis Limited, CN=QuoVadis Root CA 1 G3', sha256: '8A:86:6F:D1:B2:76:B5:7E:57:8E:92:1C:65:82:8A:2B:ED:58:E9:F2:F2:88:05:41:34:B7:F1:F4:BF:C9:CC:74' }, // Mozilla
  { name: 'QuoVadis Root CA 2 G3', subject: 'C=BM, O=QuoVadis Limited, CN=QuoVadis Root CA 2 G3', sha256: '8F:E4:FB:0A:F9:3A:4D:0D:67:DB:0B:EB:B2:3E:37:C7:1B:F3:25:DC:BC:DD:24:0E:A0:4D:AF:58:B4:7E:18:40' }, // Mozilla
  { name: 'QuoVadis Root CA 3 G3', subject: 'C=BM, O=QuoVadis Limited, CN=QuoVadis Root CA 3 G3', sha256: '88:EF:81:DE:20:2E:B0:18:45:2E:43:F8:64:72:5C:EA:5F:BD:1F:C2:D9:D2:05:73:07:09:C5:D8:B8:69:0F:46' }, // Mozilla
];

export const BUILT_IN_SOURCE =
  "Built-in snapshot shipped with this version (November 2026): the well-known roots of the CAs Anaplan names (Sectigo/USERTrust/AAA Certificate Services, DigiCert, GlobalSign, QuoVadis). Anaplan's own supported root list is the authority; give a newer list as a JSON file to replace or extend this one.";

export function builtInRoots(): SupportedRoots {
  return { roots: BUILT_IN.map((root) => ({ ...root })), source: BUILT_IN_SOURCE };
}

const SHA256_TEXT = /^(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{64}$/;

const rootSchema = z
  .object({
    name: z.string({ error: 'Give the root a name: "name": "…".' }).trim().min(1, 'Give the root a name.'),
    subject: z
      .string()
      .refine((text) => parseNameText(text) !== null, 'Write the subject as "C=…, O=…, CN=…" (attribute=value pairs separated by commas).')
      .optional(),
    sha256: z.string().trim().regex(SHA256_TEXT, 'Write the SHA-256 fingerprint as 64 hex digits, with or without colons (AA:BB:…).').optional(),
  })
  .refine((root) => root.subject !== undefined || root.sha256 !== undefined, 'Give the subject, the sha256 fingerprint, or both.');

const rootsFileSchema = z.object({
  /** "extend" (default) adds to the built-in list; "replace" uses only this file's roots. */
  mode: z.enum(['extend', 'replace']).default('extend'),
  source: z.string().optional(),
  roots: z.array(rootSchema, { error: 'List the roots: "roots": [{"name": "…", "subject": "…"}].' }).min(1, 'List at least one root.'),
});

/** The supported roots: built in, or as a JSON file replaces or extends them. */
export async function loadRoots(overrideFile?: string | null): Promise<SupportedRoots> {
  if (!overrideFile) return builtInRoots();
  const text = await readRootsFile(overrideFile);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError('bad_input', `${overrideFile} is not valid JSON (${error instanceof Error ? error.message : String(error)}). Fix it, or leave the supported roots file out to use the built-in list.`, {
      path: overrideFile,
      problems: [{ field: 'rootsFile', message: 'Not valid JSON.' }],
    });
  }
  const parsed = rootsFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems: FieldMessage[] = parsed.error.issues.map((issue) => ({ field: issue.path.length ? issue.path.join('.') : 'rootsFile', message: issue.message }));
    throw new AppError(
      'bad_input',
      `${overrideFile} is not a supported roots list:\n${problems.map((problem) => `${problem.field}: ${problem.message}`).join('\n')}\nExpected: {"mode": "extend" or "replace", "roots": [{"name": "…", "subject": "C=…, O=…, CN=…", "sha256": "AA:BB:…"}]}.`,
      { path: overrideFile, problems },
    );
  }
  const fileRoots = parsed.data.roots.map((root) => ({ ...root, ...(root.sha256 ? { sha256: normalizeFingerprint(root.sha256) } : {}) }));
  const source = parsed.data.source ?? `The list in ${overrideFile}`;
  return parsed.data.mode === 'replace'
    ? { roots: fileRoots, source }
    : { roots: [...builtInRoots().roots, ...fileRoots], source: `${source}, added to the built-in snapshot (November 2026)` };
}

/** A roots list is a few kilobytes of JSON; anything far bigger (or /dev/zero) is the wrong file. */
const MAX_ROOTS_FILE_BYTES = 1024 * 1024;

async function readRootsFile(path: string): Promise<string> {
  try {
    const stats = await stat(path);
    if (!stats.isFile() || stats.size > MAX_ROOTS_FILE_BYTES) {
      const what = stats.isFile() ? `${stats.size} bytes, far too big for a list of roots` : 'not a file';
      throw new AppError('bad_input', `${path} is ${what}. Check the path of the supported roots file, or leave it out to use the built-in list.`, {
        path,
        problems: [{ field: 'rootsFile', message: 'Not a roots file.' }],
      });
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    throw new AppError(
      code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' ? 'bad_input' : 'io',
      code === 'ENOENT' || code === 'ENOTDIR' ? `There is no supported roots file at ${path}. Check the path, or leave it out to use the built-in list.` : `Could not read the supported roots file ${path}: ${error instanceof Error ? error.message : String(error)}.`,
      { path, problems: [{ field: 'rootsFile', message: 'Cannot be read.' }] },
    );
  }
}

function normalizeFingerprint(text: string): string {
  const hex = text.replace(/:/g, '').toUpperCase();
  return hex.match(/../g)?.join(':') ?? hex;
}

export interface RootMatch {
  supported: boolean;
  rootName: string | null;
  /** Why not, in plain words, when not supported. */
  reason: string | null;
}

/**
 * Does the chain end in (or under) a supported root? Signatures are checked along the chain
 * first. Then a certificate of the chain matches a root by fingerprint, or by subject (a
 * self-signed one with a different fingerprint than listed is an impostor, not the root), and
 * a chain sent without its root matches by the last certificate's issuer.
 */
export function chainEndsInSupportedRoot(leaf: X509Certificate, chain: readonly X509Certificate[], roots: SupportedRoots): RootMatch {
  const path = [leaf, ...chain.filter((certificate) => !certificate.raw.equals(leaf.raw))];
  for (let i = 0; i + 1 < path.length; i++) {
    const child = path[i];
    const parent = path[i + 1];
    if (child && parent && !issuedBy(child, parent)) {
      return { supported: false, rootName: null, reason: `"${nameOf(parent)}" in the chain did not sign "${nameOf(child)}", so the chain is broken` };
    }
  }
  const known = roots.roots.map((root) => ({ root, subject: root.subject ? parseNameText(root.subject) : null, sha256: root.sha256 ? normalizeFingerprint(root.sha256) : null }));
  let impostor: string | null = null;
  for (const certificate of path.slice(1)) {
    const subject = subjectOf(certificate);
    const selfSigned = isSelfSigned(certificate);
    for (const { root, subject: rootSubject, sha256 } of known) {
      if (sha256 && sha256 === certificate.fingerprint256) return { supported: true, rootName: root.name, reason: null };
      if (!rootSubject || !subject || !sameName(subject, rootSubject)) continue;
      if (selfSigned && sha256) impostor = root.name;
      else return { supported: true, rootName: root.name, reason: null };
    }
  }
  const last = path[path.length - 1] ?? leaf;
  if (impostor) {
    return { supported: false, rootName: null, reason: `the chain ends in a root named like "${impostor}", but it is not that root (its SHA-256 fingerprint differs from the one on the list)` };
  }
  if (isSelfSigned(last)) {
    return { supported: false, rootName: null, reason: `the chain ends in the root "${nameOf(last)}", which is not on the supported root list` };
  }
  const issuer = issuerOf(last);
  const match = issuer ? known.find(({ subject }) => subject && sameName(issuer, subject)) : undefined;
  if (match) return { supported: true, rootName: match.root.name, reason: null };
  return {
    supported: false,
    rootName: null,
    reason: `the chain ends at "${nameOf(last)}", issued by "${issuer ? formatName(issuer) : 'an unreadable name'}", which is not on the supported root list`,
  };
}

function subjectOf(certificate: X509Certificate): DistinguishedName | null {
  try {
    return certificateFacts(certificate).subject;
  } catch {
    return null;
  }
}

function issuerOf(certificate: X509Certificate): DistinguishedName | null {
  try {
    return certificateFacts(certificate).issuer;
  } catch {
    return null;
  }
}

function nameOf(certificate: X509Certificate): string {
  const subject = subjectOf(certificate);
  return subject ? displayName(subject) : certificate.subject;
}
