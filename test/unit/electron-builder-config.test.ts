import { createRequire } from 'node:module';
import { expect, test } from 'vitest';
import { ROOT } from '../support/cli.js';

/**
 * electron-builder.yml read and validated by electron-builder's own loader and schema (the
 * consumer of the file), then checked for the security settings the packaged app relies on.
 */
const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: null): Promise<Record<string, unknown>>;
  validateConfiguration(config: Record<string, unknown>, debugLogger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

test('electron-builder accepts the configuration, with asar and the hardening fuses', async () => {
  const config = await getConfig(ROOT, null, null);
  await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  expect(config.asar).toBe(true);
  expect(config.electronFuses).toEqual({
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableCookieEncryption: true,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
    resetAdHocDarwinSignature: true,
  });
  // The packaged app needs the built files, and never source maps (validation normalises
  // `files` into filter sets).
  const filters = (config.files as Array<{ filter: string[] }>).flatMap((set) => set.filter);
  expect(filters).toEqual(expect.arrayContaining(['out/**/*', '!**/*.map']));
});

test('the schema check is real: a misspelt fuse is refused', async () => {
  const config = await getConfig(ROOT, null, null);
  const misspelt = { ...config, electronFuses: { ...(config.electronFuses as object), runAsNod: false } };
  await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
});
