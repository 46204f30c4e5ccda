import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Jdk } from './java.js';

export const PROBE_CLASS = 'AnaplanConnectTokenStoreProbe';

/**
 * derive ID...            name TAB password, as Utils.createHash/bytesToHex and CryptoUtil.encrypt compute them
 * read DIR ID [DIR ID...] OK TAB key algorithm TAB base64(UTF-8 token), read as getDecodedRefreshToken reads it from DIR
 * readhome ID...          the same, DIR chosen as DeviceAuthenticator does ($AC_OAUTH_KEYSTORE_DIR unless blank, else user.home)
 * write DIR ID B64TOKEN   the store written as encodeAndSetRefreshToken/Utils.saveEntryInKeyStore write it
 */
export const PROBE_SOURCE = `import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.security.Key;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

public class ${PROBE_CLASS} {
  private static final byte[] KEY = { 122, 120, 101, 87, 32, 43, 69, 83, 101, 54, 82, 23, 116, 75, 101, 66 };
  private static final String SALT = "P@$word$@|t";

  static String name(String clientId) throws Exception {
    byte[] hash = MessageDigest.getInstance("SHA-512/256").digest(clientId.getBytes(StandardCharsets.UTF_8));
    StringBuilder hex = new StringBuilder(2 * hash.length);
    for (byte b : hash) {
      String h = Integer.toHexString(0xff & b);
      if (h.length() == 1) hex.append('0');
      hex.append(h);
    }
    return String.format("ks_%s", hex.toString());
  }

  static String password(String clientId) throws Exception {
    Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5PADDING");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "AES"));
    return Base64.getEncoder().encodeToString(cipher.doFinal(SALT.concat(clientId).getBytes()));
  }

  static String read(PrintStream out, String dir, String clientId) {
    try {
      String alias = name(clientId);
      char[] pw = password(clientId).toCharArray();
      String path = dir + FileSystems.getDefault().getSeparator() + alias + ".jks";
      try (FileInputStream in = new FileInputStream(path)) {
        KeyStore jks = KeyStore.getInstance("JKS");
        jks.load(in, pw);
        Key key = jks.getKey(alias, pw);
        String token = new String(Base64.getDecoder().decode(key.getEncoded()), StandardCharsets.UTF_8);
        return "OK\\t" + key.getAlgorithm() + "\\t" + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
      }
    } catch (Exception e) {
      return "ERROR\\t" + e.getClass().getName() + ": " + String.valueOf(e.getMessage()).replace('\\t', ' ').replace('\\n', ' ');
    }
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, "UTF-8");
    switch (args[0]) {
      case "derive":
        for (int i = 1; i < args.length; i++) out.println(name(args[i]) + "\\t" + password(args[i]));
        break;
      case "read":
        for (int i = 1; i + 1 < args.length; i += 2) out.println(read(out, args[i], args[i + 1]));
        break;
      case "readhome":
        String dir = System.getProperty("user.home");
        String configured = System.getenv("AC_OAUTH_KEYSTORE_DIR");
        if (configured != null && !configured.trim().isEmpty()) dir = configured;
        for (int i = 1; i < args.length; i++) out.println(read(out, dir, args[i]));
        break;
      case "write": {
        String alias = name(args[2]);
        char[] pw = password(args[2]).toCharArray();
        byte[] encodedKey = Base64.getEncoder().encode(Base64.getDecoder().decode(args[3]));
        KeyStore ks = KeyStore.getInstance("pkcs12");
        ks.load(null, pw);
        SecretKey secretKey = new SecretKeySpec(encodedKey, 0, encodedKey.length, "AES");
        ks.setEntry(alias, new KeyStore.SecretKeyEntry(secretKey), new KeyStore.PasswordProtection(pw));
        try (FileOutputStream fileOutputStream = new FileOutputStream(args[1] + FileSystems.getDefault().getSeparator() + alias + ".jks")) {
          ks.store(fileOutputStream, pw);
        }
        out.println("OK");
        break;
      }
      default:
        throw new IllegalArgumentException(args[0]);
    }
  }
}
`;


/** Compiles the probe once; `read(dir, clientId)` returns the refresh token a JDK gets, exactly as Anaplan Connect reads it. */
export async function tokenStoreProbe(jdk: Jdk): Promise<{ read(dir: string, clientId: string): string }> {
  const classDir = await mkdtemp(join(tmpdir(), 'token-store-probe-'));
  await mkdir(classDir, { recursive: true });
  await writeFile(join(classDir, `${PROBE_CLASS}.java`), PROBE_SOURCE);
  execFileSync(jdk.javac, ['-d', classDir, join(classDir, `${PROBE_CLASS}.java`)], { stdio: 'pipe', timeout: 120_000 });
  return {
    read(dir, clientId) {
      const line = execFileSync(jdk.java, ['-cp', classDir, PROBE_CLASS, 'read', dir, clientId], { encoding: 'utf8', timeout: 120_000 }).trim();
      const [status = '', , token = ''] = line.split('\t');
      if (status !== 'OK') throw new Error(`the JDK could not read the token store: ${line}`);
      return Buffer.from(token, 'base64').toString('utf8');
    },
  };
}
