// The JDK proof: a tiny Java program that opens a keystore exactly the way Anaplan Connect 4.x
// opens -keystore (anaplan-facts §5), compiled once per test file with the real javac, plus
// keytool. Where no JDK is installed, the tests that need it skip with one line.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Jdk {
  java: string;
  javac: string;
  keytool: string;
}

/** java, javac and keytool from JAVA_HOME/bin, else from PATH; null when any is missing. */
export function findJdk(): Jdk | null {
  const home = process.env.JAVA_HOME;
  const tool = (name: string): string | null => {
    for (const candidate of [...(home ? [join(home, 'bin', name)] : []), name]) {
      const probe = spawnSync(candidate, ['-version'], { encoding: 'utf8', timeout: 30_000 });
      if (probe.status === 0) return candidate;
    }
    return null;
  };
  const java = tool('java');
  const javac = java ? tool('javac') : null;
  const keytool = javac ? keytoolPath(home) : null;
  return java && javac && keytool ? { java, javac, keytool } : null;
}

function keytoolPath(home: string | undefined): string | null {
  for (const candidate of [...(home ? [join(home, 'bin', 'keytool')] : []), 'keytool']) {
    if (spawnSync(candidate, ['-help'], { encoding: 'utf8', timeout: 30_000 }).error === undefined) return candidate;
  }
  return null;
}

const PROBE_CLASS = 'AnaplanConnectKeystoreProbe';

/** For each (file, password, alias) triple: one tab-separated line. */
const PROBE_SOURCE = `import java.io.FileInputStream;
import java.security.KeyStore;
import java.util.Base64;

public class ${PROBE_CLASS} {
  public static void main(String[] args) {
    for (int i = 0; i + 2 < args.length; i += 3) {
      String file = args[i];
      char[] password = args[i + 1].toCharArray();
      String alias = args[i + 2];
      try {
        // As Anaplan Connect 4.x reads -keystore/-keystorealias/-keystorepass: the JKS type
        // (which reads PKCS#12 files too) and the key read with the store password.
        KeyStore ks = KeyStore.getInstance("JKS");
        try (FileInputStream in = new FileInputStream(file)) {
          ks.load(in, password);
        }
        KeyStore.Entry e = ks.getEntry(alias, new KeyStore.PasswordProtection(password));
        if (e instanceof KeyStore.PrivateKeyEntry) {
          KeyStore.PrivateKeyEntry entry = (KeyStore.PrivateKeyEntry) e;
          System.out.println("OK\\tPrivateKeyEntry\\t" + entry.getPrivateKey().getAlgorithm() + "\\t"
              + Base64.getEncoder().encodeToString(entry.getCertificate().getEncoded()) + "\\t" + entry.getCertificateChain().length);
        } else {
          System.out.println("OK\\t" + (e == null ? "no entry" : e.getClass().getSimpleName()) + "\\t-\\t-\\t0");
        }
      } catch (Exception ex) {
        System.out.println("ERROR\\t" + ex.getClass().getName() + ": " + String.valueOf(ex.getMessage()).replace('\\t', ' ').replace('\\n', ' '));
      }
    }
  }
}
`;

export interface ProbeResult {
  ok: boolean;
  /** "PrivateKeyEntry", another entry type, or the exception when !ok. */
  entryType: string;
  keyAlgorithm: string;
  /** The entry's certificate (getEncoded), base64. */
  certificateBase64: string;
  chainLength: number;
  error: string | null;
}

export interface KeystoreToProbe {
  file: string;
  password: string;
  alias: string;
}

export class KeystoreProbe {
  private constructor(
    private readonly jdk: Jdk,
    private readonly classDir: string,
  ) {}

  /** Compiles the probe into a temp folder (about a second); remove() deletes it. */
  static compile(jdk: Jdk): KeystoreProbe {
    const dir = mkdtempSync(join(tmpdir(), 'keystore-probe-'));
    writeFileSync(join(dir, `${PROBE_CLASS}.java`), PROBE_SOURCE);
    execFileSync(jdk.javac, ['-d', dir, join(dir, `${PROBE_CLASS}.java`)], { stdio: 'pipe', timeout: 120_000 });
    return new KeystoreProbe(jdk, dir);
  }

  /** Loads every keystore in one JVM run (a JVM start costs more than the loads). */
  load(keystores: readonly KeystoreToProbe[]): ProbeResult[] {
    const args = keystores.flatMap(({ file, password, alias }) => [file, password, alias]);
    const output = execFileSync(this.jdk.java, ['-cp', this.classDir, PROBE_CLASS, ...args], { encoding: 'utf8', timeout: 120_000 });
    return output
      .trim()
      .split('\n')
      .map((line): ProbeResult => {
        const [status, entryType = '', keyAlgorithm = '', certificateBase64 = '', chainLength = '0'] = line.split('\t');
        return status === 'OK'
          ? { ok: true, entryType, keyAlgorithm, certificateBase64, chainLength: Number(chainLength), error: null }
          : { ok: false, entryType: '', keyAlgorithm: '', certificateBase64: '', chainLength: 0, error: entryType };
      });
  }

  remove(): void {
    rmSync(this.classDir, { recursive: true, force: true });
  }
}

/** keytool -list as a person would run it; stdout and stderr together. */
export function keytoolList(jdk: Jdk, file: string, password: string, storetype: 'PKCS12' | 'JKS'): { status: number | null; output: string } {
  const result = spawnSync(jdk.keytool, ['-list', '-keystore', file, '-storepass', password, '-storetype', storetype], { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
