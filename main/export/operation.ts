import { AppError } from '../errors.js';

/** The common Anaplan Connect jobs, as the assistant offers them. */
export type OperationPreset =
  | { kind: 'import'; file: string; localFile: string; importName: string }
  | { kind: 'process'; processName: string }
  | { kind: 'export'; exportName: string; localFile: string };

/** C0 controls except TAB, and DEL: never part of a name, and a line break would break the script. */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * The Anaplan Connect actions for a preset, in the order and spelling it needs (anaplan-facts §5:
 * actions run as they are read, left to right): upload the file, then run the import; run the
 * process; run the export, then download its file. Names are kept byte for byte.
 * Throws AppError('bad_input') naming the field when a name is empty or holds a control character.
 */
export function composeOperation(preset: OperationPreset): string[] {
  switch (preset.kind) {
    case 'import':
      return [
        '-file',
        checkName(preset.file, 'The import data source file name in Anaplan (file)'),
        '-put',
        checkName(preset.localFile, 'The local file to upload (localFile)'),
        '-import',
        checkName(preset.importName, 'The import action name (importName)'),
        '-execute',
      ];
    case 'process':
      return ['-process', checkName(preset.processName, 'The process name (processName)'), '-execute'];
    case 'export':
      return [
        '-export',
        checkName(preset.exportName, 'The export action name (exportName)'),
        '-execute',
        '-get',
        checkName(preset.localFile, 'The local file to download to (localFile)'),
      ];
    default:
      throw new AppError('bad_input', 'The operation kind must be "import", "process" or "export".', { field: 'kind' });
  }
}

function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AppError('bad_input', `${what} is empty. Enter it exactly as it is spelled in Anaplan (or, for a local file, its full path).`, { field: what });
  }
  if (CONTROL_CHARACTER.test(value)) {
    throw new AppError('bad_input', `${what} must not contain line breaks or other control characters.`, { field: what });
  }
  return value;
}
