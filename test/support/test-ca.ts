// A small certificate authority made with the real `openssl` for the certificate import tests:
// root CA → intermediate CA → leaves with S/MIME-style (and deliberately wrong) profiles, and
// the CA's replies in every shape CAs send them. Requests are made with our own createKeyAndCsr,
// so each test walks the real path: our key → our CSR → this CA → the reply we import.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyAndCsr } from '../../main/pki/keygen.js';
import type { CsrSubject } from '../../main/pki/subject.js';

export const TEST_PASSPHRASE = 'tulip orbit canyon 42';
export const TEST_EMAIL = 'ada@example.com';
export const PFX_PASSWORD = 'pfx-secret 7';

export const TEST_SUBJECT: Readonly<CsrSubject> = Object.freeze({
  commonName: 'Ada Lovelace',
  email: TEST_EMAIL,
  organization: 'Analytical Engines Ltd',
  organizationalUnit: 'Integration',
  locality: 'London',
  state: 'Greater London',
  country: 'GB',
});

export const ROOT_SUBJECT = '/C=GB/O=Assistant Test CA/CN=Assistant Test Root CA';
export const INTERMEDIATE_SUBJECT = '/C=GB/O=Assistant Test CA/CN=Assistant Test SMIME CA';

export type LeafProfile =
  | 'multipurpose'
  | 'strict'
  | 'tls-server'
  | 'expired'
  | 'not-yet-valid'
  | 'expires-in-10-days'
  | 'ca'
  | 'no-revocation'
  | 'no-email'
  | 'long-validity';

export interface TestRequest {
  keyPath: string;
  csrPath: string;
  passphrase: string;
  email: string;
}

export interface IssuedCertificate {
  path: string;
  pem: string;
  der: Buffer;
}

export interface ReplyFiles {
  /** The leaf alone, PEM. */
  leafPem: string;
  /** root, leaf and intermediate (out of order on purpose), with an email's chatter around the blocks. */
  chainWithChatter: string;
  /** The leaf alone, DER (.cer). */
  der: string;
  p7bPem: string;
  p7bDer: string;
  /** PKCS#12 with key and chain, OpenSSL 3 defaults (PBES2/AES-256, SHA-256 MAC), password PFX_PASSWORD. */
  pfx: string;
  /** The same with -legacy (3DES key, RC2-40 certificates, SHA-1 MAC); null where this openssl cannot. */
  pfxLegacy: string | null;
}

const DAY = 24 * 60 * 60 * 1000;

/** Where each profile's validity starts and ends, in days from now. */
const VALIDITY: Record<LeafProfile, [number, number]> = {
  multipurpose: [-1, 365],
  strict: [-1, 365],
  'tls-server': [-1, 365],
  expired: [-400, -30],
  'not-yet-valid': [10, 375],
  'expires-in-10-days': [-355, 10],
  ca: [-1, 365],
  'no-revocation': [-1, 365],
  'no-email': [-1, 365],
  'long-validity': [-1, 4 * 365],
};

const EXTENSIONS: Record<LeafProfile, string> = {
  multipurpose: 'multipurpose',
  strict: 'strict_smime',
  'tls-server': 'tls_server',
  expired: 'multipurpose',
  'not-yet-valid': 'multipurpose',
  'expires-in-10-days': 'multipurpose',
  ca: 'ca_leaf',
  'no-revocation': 'no_revocation',
  'no-email': 'no_email',
  'long-validity': 'multipurpose',
};

/** Subjects that replace the request's (a TLS certificate names a host; the no-email one only a CN). */
const SUBJECT_OVERRIDE: Partial<Record<LeafProfile, string>> = {
  'tls-server': '/C=GB/O=Analytical Engines Ltd/CN=integration.example.com',
  'no-email': `/C=GB/O=Analytical Engines Ltd/CN=${TEST_EMAIL}`,
};

const REVOCATION = `crlDistributionPoints = URI:http://crl.test-ca.invalid/smime.crl
authorityInfoAccess = OCSP;URI:http://ocsp.test-ca.invalid, caIssuers;URI:http://test-ca.invalid/smime.cer`;

function config(dir: string): string {
  return `[ ca ]
default_ca = smime_ca

[ smime_ca ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/issued
serial = $dir/serial
certificate = $dir/intermediate.pem
private_key = $dir/intermediate.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none

[ policy_any ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
emailAddress = optional

[ req ]
distinguished_name = req_dn
prompt = no

[ req_dn ]
CN = unused

[ root_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ intermediate_ca ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ multipurpose ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth, emailProtection
subjectAltName = email:copy
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
${REVOCATION}

[ strict_smime ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = emailProtection
subjectAltName = email:copy
authorityKeyIdentifier = keyid
${REVOCATION}

[ tls_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:integration.example.com
authorityKeyIdentifier = keyid
${REVOCATION}

[ ca_leaf ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyCertSign, cRLSign
extendedKeyUsage = clientAuth, emailProtection
subjectAltName = email:copy
authorityKeyIdentifier = keyid
${REVOCATION}

[ no_revocation ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth, emailProtection
subjectAltName = email:copy
authorityKeyIdentifier = keyid

[ no_email ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth, emailProtection
authorityKeyIdentifier = keyid
${REVOCATION}

[ self_signed_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth, emailProtection
subjectAltName = email:copy
${REVOCATION}
`;
}

export function openssl(args: readonly string[], input?: string): string {
  try {
    return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], input: input ?? '', timeout: 60_000 });
  } catch (error) {
    const stderr = typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr) : '';
    throw new Error(`openssl ${args.join(' ')} failed: ${stderr || String(error)}`);
  }
}

/** stdout and stderr together (some openssl commands, such as pkcs12 -info, report on stderr). */
export function opensslOutput(args: readonly string[]): string {
  const result = spawnSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
  return `${result.stdout}${result.stderr}`;
}

/** openssl's -startdate/-enddate format (GeneralizedTime). */
function caDate(daysFromNow: number): string {
  return `${new Date(Date.now() + daysFromNow * DAY).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

export class TestCa {
  readonly rootPath: string;
  readonly intermediatePath: string;
  readonly rootPem: string;
  readonly intermediatePem: string;
  private readonly configPath: string;
  private serial = 0;

  private constructor(readonly dir: string) {
    this.rootPath = join(dir, 'root.pem');
    this.intermediatePath = join(dir, 'intermediate.pem');
    this.configPath = join(dir, 'ca.cnf');
    mkdirSync(join(dir, 'issued'));
    mkdirSync(join(dir, 'replies'));
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '1000\n');
    writeFileSync(this.configPath, config(dir));
    const rootKey = join(dir, 'root.key');
    const intermediateKey = join(dir, 'intermediate.key');
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', rootKey]);
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', intermediateKey]);
    openssl(['req', '-config', this.configPath, '-x509', '-new', '-key', rootKey, '-subj', ROOT_SUBJECT, '-days', '3650', '-extensions', 'root_ca', '-out', this.rootPath]);
    const intermediateCsr = join(dir, 'intermediate.csr');
    openssl(['req', '-config', this.configPath, '-new', '-key', intermediateKey, '-subj', INTERMEDIATE_SUBJECT, '-out', intermediateCsr]);
    openssl([
      'x509', '-req', '-in', intermediateCsr, '-CA', this.rootPath, '-CAkey', rootKey, '-set_serial', '0x2001', '-days', '3000',
      '-extfile', this.configPath, '-extensions', 'intermediate_ca', '-out', this.intermediatePath,
    ]);
    this.rootPem = readFileSync(this.rootPath, 'utf8');
    this.intermediatePem = readFileSync(this.intermediatePath, 'utf8');
  }

  /** Root and intermediate keys are made once per test file (2048 bits: fast enough). */
  static create(): TestCa {
    return new TestCa(mkdtempSync(join(tmpdir(), 'test-ca-')));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The intermediate then the root, as chain.pem should hold them. */
  get chainPem(): string {
    return this.intermediatePem + this.rootPem;
  }

  /** Signs a request with the intermediate CA, as the given profile. */
  issue(request: TestRequest, profile: LeafProfile): IssuedCertificate {
    const path = join(this.dir, 'issued', `${profile}-${++this.serial}.pem`);
    const [start, end] = VALIDITY[profile];
    const subject = SUBJECT_OVERRIDE[profile];
    openssl([
      'ca', '-config', this.configPath, '-batch', '-notext', '-preserveDN', '-in', request.csrPath, '-out', path,
      '-extensions', EXTENSIONS[profile], '-startdate', caDate(start), '-enddate', caDate(end), ...(subject ? ['-subj', subject] : []),
    ]);
    return this.read(path);
  }

  /** A leaf signed by its own key, with the S/MIME extensions. */
  selfSign(request: TestRequest): IssuedCertificate {
    const path = join(this.dir, 'issued', `self-signed-${++this.serial}.pem`);
    openssl([
      'x509', '-req', '-in', request.csrPath, '-key', request.keyPath, '-passin', `pass:${request.passphrase}`, '-days', '365',
      '-extfile', this.configPath, '-extensions', 'self_signed_leaf', '-out', path,
    ]);
    return this.read(path);
  }

  /** Signs any CSR with the intermediate CA and the extension lines given (openssl x509v3 config syntax). */
  issueCustom(csrPath: string, extensionLines: string, options: { subject?: string; days?: [number, number] } = {}): IssuedCertificate {
    const id = ++this.serial;
    const extfile = join(this.dir, `custom-${id}.cnf`);
    writeFileSync(extfile, `[ custom ]\n${extensionLines}\n`);
    const path = join(this.dir, 'issued', `custom-${id}.pem`);
    const [start, end] = options.days ?? [-1, 365];
    openssl([
      'ca', '-config', this.configPath, '-batch', '-notext', '-preserveDN', '-in', csrPath, '-out', path, '-extfile', extfile, '-extensions', 'custom',
      '-startdate', caDate(start), '-enddate', caDate(end), ...(options.subject ? ['-subj', options.subject] : []),
    ]);
    return this.read(path);
  }

  /** Another self-signed root (for example one named like a public root), with its key. */
  makeRoot(subject: string): { path: string; keyPath: string; pem: string } {
    const id = ++this.serial;
    const keyPath = join(this.dir, `root-${id}.key`);
    const path = join(this.dir, `root-${id}.pem`);
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyPath]);
    openssl(['req', '-config', this.configPath, '-x509', '-new', '-key', keyPath, '-subj', subject, '-days', '3650', '-extensions', 'root_ca', '-out', path]);
    return { path, keyPath, pem: readFileSync(path, 'utf8') };
  }

  /** The test root cross-signed by another root: same subject and key, another issuer (as Sectigo's R46 by USERTrust). */
  crossSignRoot(by: { path: string; keyPath: string }): IssuedCertificate {
    const id = ++this.serial;
    const csr = join(this.dir, `cross-${id}.csr`);
    const path = join(this.dir, 'issued', `cross-${id}.pem`);
    openssl(['x509', '-x509toreq', '-in', this.rootPath, '-key', join(this.dir, 'root.key'), '-out', csr]);
    openssl(['x509', '-req', '-in', csr, '-CA', by.path, '-CAkey', by.keyPath, '-set_serial', String(5000 + id), '-days', '3650', '-extfile', this.configPath, '-extensions', 'root_ca', '-out', path]);
    return this.read(path);
  }

  /** Signs a request directly with another root, as a Multipurpose S/MIME leaf. */
  issueUnder(root: { path: string; keyPath: string }, request: TestRequest): IssuedCertificate {
    const path = join(this.dir, 'issued', `under-root-${++this.serial}.pem`);
    openssl([
      'x509', '-req', '-in', request.csrPath, '-CA', root.path, '-CAkey', root.keyPath, '-set_serial', String(4000 + this.serial), '-days', '365',
      '-extfile', this.configPath, '-extensions', 'multipurpose', '-out', path,
    ]);
    return this.read(path);
  }

  /** A key made by openssl (EC P-256 or a too-small RSA key) and a request for it, with the test subject. */
  otherKeyRequest(kind: 'ec' | 'rsa1024'): { keyPath: string; csrPath: string } {
    const id = ++this.serial;
    const keyPath = join(this.dir, `${kind}-${id}.key`);
    const csrPath = join(this.dir, `${kind}-${id}.csr`);
    const keyArgs = kind === 'ec' ? ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'];
    openssl(['genpkey', ...keyArgs, '-out', keyPath]);
    openssl(['req', '-config', this.configPath, '-new', '-key', keyPath, '-subj', `/C=GB/CN=Ada Lovelace/emailAddress=${TEST_EMAIL}`, '-out', csrPath]);
    return { keyPath, csrPath };
  }

  /** The CA's reply in every shape, in a fresh folder under the CA's. */
  replies(issued: IssuedCertificate, request: TestRequest): ReplyFiles {
    const folder = join(this.dir, 'replies', `reply-${++this.serial}`);
    mkdirSync(folder);
    const file = (name: string, content: string | Buffer): string => {
      writeFileSync(join(folder, name), content);
      return join(folder, name);
    };
    const leafPem = file('certificate.crt', issued.pem);
    const chainWithChatter = file(
      'your-certificate-bundle.pem',
      `Dear customer,\r\n\r\nthank you for your order #4711. Below is the root certificate:\r\n\r\n${this.rootPem}\r\nYour personal certificate:\r\n${issued.pem}\nThe intermediate:\n${this.intermediatePem}\n-- \nKind regards, the Test CA team\n`,
    );
    const der = file('certificate.cer', issued.der);
    const chainArgs = ['-certfile', issued.path, '-certfile', this.intermediatePath, '-certfile', this.rootPath];
    const p7bPem = join(folder, 'certificate.p7b');
    openssl(['crl2pkcs7', '-nocrl', ...chainArgs, '-out', p7bPem]);
    const p7bDer = join(folder, 'certificate-der.p7b');
    openssl(['crl2pkcs7', '-nocrl', ...chainArgs, '-outform', 'DER', '-out', p7bDer]);
    const chainFile = file('ca-chain.pem', this.chainPem);
    const pkcs12Args = [
      'pkcs12', '-export', '-inkey', request.keyPath, '-passin', `pass:${request.passphrase}`, '-in', issued.path, '-certfile', chainFile,
      '-name', 'Ada Lovelace S/MIME', '-passout', `pass:${PFX_PASSWORD}`,
    ];
    const pfx = join(folder, 'certificate.pfx');
    openssl([...pkcs12Args, '-out', pfx]);
    const pfxLegacy = LEGACY_PKCS12 ? join(folder, 'certificate-legacy.pfx') : null;
    if (pfxLegacy) openssl([...pkcs12Args, '-legacy', '-out', pfxLegacy]);
    return { leafPem, chainWithChatter, der, p7bPem, p7bDer, pfx, pfxLegacy };
  }

  private read(path: string): IssuedCertificate {
    const pem = readFileSync(path, 'utf8');
    const der = derOf(pem);
    if (!der) throw new Error(`${path} holds no certificate`);
    return { path, pem, der };
  }
}

/** The DER inside the first CERTIFICATE block of a PEM text. */
export function derOf(pem: string): Buffer | null {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  return match ? Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64') : null;
}

/** Whether this openssl writes legacy PKCS#12 (-legacy needs OpenSSL 3 and its legacy provider). */
export const LEGACY_PKCS12: boolean = (() => {
  const probe = spawnSync('openssl', ['pkcs12', '-help'], { encoding: 'utf8' });
  return `${probe.stdout}${probe.stderr}`.includes('-legacy') && spawnSync('openssl', ['list', '-cipher-algorithms', '-provider', 'legacy'], { encoding: 'utf8' }).status === 0;
})();

/** A key and CSR made by the assistant itself (encrypted PKCS#8 key, S/MIME request). */
export async function makeRequest(dir: string, subject: Partial<CsrSubject> = {}): Promise<TestRequest> {
  const result = await createKeyAndCsr({
    subject: { ...TEST_SUBJECT, ...subject },
    caProfileId: 'sectigo',
    bits: 2048,
    passphrase: TEST_PASSPHRASE,
    dir,
    forceBackup: false,
  });
  return { keyPath: result.privateKeyPath, csrPath: result.csrPath, passphrase: TEST_PASSPHRASE, email: result.email };
}
