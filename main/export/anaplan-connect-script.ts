import { buildBatScript } from './bat-script.js';
import { beforeTonight, type NextStep } from './before-tonight.js';
import { buildReadme } from './export-readme.js';
import {
  BAT_SCRIPT_NAME,
  BOOMI_GUIDE_NAME,
  CRONTAB_NAME,
  INFORMATICA_GUIDE_NAME,
  README_NAME,
  SCHTASKS_NAME,
  SH_SCRIPT_NAME,
  holdsSecret,
  type GeneratedFile,
} from './generated-file.js';
import { buildBoomiGuide, buildInformaticaGuide } from './integration-guides.js';
import { buildCrontab, buildSchtasks } from './job-schedule.js';
import { parseAnaplanConnectExportInput, type AnaplanConnectExportRequest } from './input.js';
import { buildShScript } from './sh-script.js';
import { exportWarnings } from './warnings.js';

/**
 * The files of an Anaplan Connect export: anaplan-connect.sh (linux), anaplan-connect.bat
 * (windows) and README.md; with a schedule, crontab.txt (linux) and schtasks.txt (windows); with
 * integrationGuides, boomi-connection.md and informatica-connection.md. Validates first; throws
 * AppError('bad_input') naming the field. A script that holds a secret (chosen inline) is written
 * readable by its owner only; no other file ever holds one.
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
  if (settings.schedule) {
    if (settings.platforms.includes('linux')) files.push({ name: CRONTAB_NAME, content: buildCrontab(settings), mode: 0o644 });
    if (settings.platforms.includes('windows')) files.push({ name: SCHTASKS_NAME, content: buildSchtasks(settings), mode: 0o644 });
  }
  const guides = settings.integrationGuides ?? [];
  if (guides.includes('boomi')) files.push({ name: BOOMI_GUIDE_NAME, content: buildBoomiGuide(settings), mode: 0o644 });
  if (guides.includes('informatica')) files.push({ name: INFORMATICA_GUIDE_NAME, content: buildInformaticaGuide(settings), mode: 0o644 });
  return files;
}

/** What is left to do before the job's first scheduled run, for this method, with the real paths. */
export function anaplanConnectNextSteps(input: AnaplanConnectExportRequest): NextStep[] {
  return beforeTonight(parseAnaplanConnectExportInput(input));
}

/** Warnings a person should read before using the export (also written into README.md). */
export function anaplanConnectExportWarnings(input: AnaplanConnectExportRequest): string[] {
  return exportWarnings(parseAnaplanConnectExportInput(input));
}
