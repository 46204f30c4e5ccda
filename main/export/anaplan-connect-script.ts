import { buildBatScript } from './bat-script.js';
import { buildReadme } from './export-readme.js';
import {
  BAT_SCRIPT_NAME,
  README_NAME,
  SH_SCRIPT_NAME,
  holdsSecret,
  type GeneratedFile,
} from './generated-file.js';
import { parseAnaplanConnectExportInput, type AnaplanConnectExportRequest } from './input.js';
import { buildShScript } from './sh-script.js';
import { exportWarnings } from './warnings.js';

/**
 * The files of an Anaplan Connect export: anaplan-connect.sh (linux), anaplan-connect.bat
 * (windows) and README.md. Validates first; throws AppError('bad_input') naming the field.
 * A script that holds a secret (chosen inline) is written readable by its owner only.
 */
export function buildAnaplanConnectFiles(input: AnaplanConnectExportRequest): GeneratedFile[] {
  const settings = parseAnaplanConnectExportInput(input);
  const secret = holdsSecret(settings);
  const files: GeneratedFile[] = [];
  if (settings.platforms.includes('linux')) {
    files.push({ name: SH_SCRIPT_NAME, content: buildShScript(settings), mode: secret ? 0o700 : 0o755 });
  }
  if (settings.platforms.includes('windows')) {
    files.push({ name: BAT_SCRIPT_NAME, content: buildBatScript(settings), mode: secret ? 0o600 : 0o644 });
  }
  files.push({ name: README_NAME, content: buildReadme(settings), mode: 0o644 });
  return files;
}

/** Warnings a person should read before using the export (also written into README.md). */
export function anaplanConnectExportWarnings(input: AnaplanConnectExportRequest): string[] {
  return exportWarnings(parseAnaplanConnectExportInput(input));
}
