import { join } from 'node:path';
import { tokenStoreFileName, tokenStoreName } from '../anaplan/token-store.js';
import { shellWord } from '../pki/posix-shell.js';
import type { Profile } from '../store/settings-schema.js';

export interface EquivalentCommand {
  tool: 'openssl' | 'keytool' | 'Anaplan Connect';
  title: string;
  command: string;
}

/**
 * What the assistant did, as the commands a person could run by hand (openssl, keytool,
 * Anaplan Connect). Secrets are never shown: they appear as $VARIABLES to set first.
 */
export function equivalentCommands(profile: Profile, connection: { serviceUrl: string; authUrl: string; operation: string[] }): EquivalentCommand[] {
  const commands: EquivalentCommand[] = [];
  const request = profile.certificateRequests.find((r) => r.id === profile.certificate?.requestId) ?? profile.certificateRequests.at(-1);
  if (profile.authMethod === 'certificate' && request) {
    commands.push(...request.equivalentCommands.map((command) => ({ tool: 'openssl' as const, title: 'The key pair and the request (CSR)', command })));
  }
  const certificate = profile.certificate;
  if (profile.authMethod === 'certificate' && certificate) {
    if (certificate.privateKeyPath) {
      commands.push({
        tool: 'openssl',
        title: 'The keystore: key, certificate and chain under the alias, in algorithms Java 8 reads (-legacy: 3DES, SHA-1 MAC)',
        command: [
          'openssl pkcs12 -export -legacy',
          `-inkey ${shellWord(certificate.privateKeyPath)} -passin env:KEY_PASSPHRASE`,
          `-in ${shellWord(certificate.certificatePath)}`,
          ...(certificate.chainPath ? [`-certfile ${shellWord(certificate.chainPath)}`] : []),
          `-name ${shellWord(certificate.alias)} -passout env:KEYSTORE_PASSWORD`,
          `-out ${shellWord(certificate.keystorePath)}`,
        ].join(' \\\n  '),
      });
    }
    commands.push({
      tool: 'keytool',
      title: 'Check the keystore as Java sees it',
      command: `keytool -list -v -keystore ${shellWord(certificate.keystorePath)} -storetype PKCS12 -alias ${shellWord(certificate.alias)} -storepass:env KEYSTORE_PASSWORD`,
    });
  }
  if (profile.authMethod === 'oauth' && profile.oauth) {
    const name = tokenStoreName(profile.oauth.clientId);
    // anaplan-facts §5: keytool writes an entry Anaplan Connect's read path returns; the password is derived from the client ID.
    commands.push({
      tool: 'keytool',
      title: 'Anaplan Connect\u2019s token store (type base64 of the refresh token at the prompt; STORE_PASSWORD is derived from the client ID)',
      command: `keytool -importpass -storetype PKCS12 -alias ${name} -storepass:env STORE_PASSWORD -keypass:env STORE_PASSWORD -keystore ${shellWord(join(profile.oauth.tokenStoreDir, tokenStoreFileName(profile.oauth.clientId)))}`,
    });
  }
  commands.push({ tool: 'Anaplan Connect', title: 'The job\u2019s call, as the script makes it (every auth and connection option before the actions)', command: anaplanConnectCall(profile, connection) });
  return commands;
}

function anaplanConnectCall(profile: Profile, connection: { serviceUrl: string; authUrl: string; operation: string[] }): string {
  const words: string[] = ['./AnaplanClient.sh'];
  if (profile.authMethod === 'certificate' && profile.certificate) {
    words.push('-keystore', shellWord(profile.certificate.keystorePath), '-keystorealias', shellWord(profile.certificate.alias));
  } else if (profile.authMethod === 'oauth' && profile.oauth) {
    words.unshift(`AC_OAUTH_KEYSTORE_DIR=${shellWord(profile.oauth.tokenStoreDir)}`);
  } else {
    words.push('-user', `${shellWord(profile.email)}:"$ANAPLAN_PASSWORD"`);
  }
  words.push('-service', shellWord(connection.serviceUrl), '-auth', shellWord(connection.authUrl));
  if (profile.authMethod === 'oauth' && profile.oauth) {
    words.push('-oauth-client-id', shellWord(profile.oauth.clientId), ...(profile.oauth.rotatable ? ['--rotatable'] : []));
  }
  if (profile.workspace) words.push('-workspace_id', profile.workspace.id);
  if (profile.model) words.push('-model_id', profile.model.id);
  words.push(...(connection.operation.length ? connection.operation.map(shellWord) : ['-W']));
  return words.join(' ');
}
