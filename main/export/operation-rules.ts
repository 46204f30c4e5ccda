/**
 * What the real Anaplan Connect 4.1.0 does with an Operation that the export must catch first
 * (anaplan-facts §8): an action without a workspace and model "succeeds" with exit 0, and a
 * relative -put/-get path is resolved against the Anaplan Connect folder the job runs in.
 */

/** An absolute path on Linux (/…) or Windows (C:\…, C:/…, \\server\share). */
export const ABSOLUTE_PATH = /^(?:\/|[A-Za-z]:[\\/]|\\\\)/;

/**
 * Program.java's options that act inside a model: the lists of a model's objects, the actions,
 * and the file transfers. Without a workspace and model the client logs "A workspace ID must be
 * provided", prints its help, and exits 0 (anaplan-facts §8). -W (workspaces) and -M (models) do not.
 */
export const MODEL_ACTION_OPTIONS: ReadonlySet<string> = new Set([
  '-MO', '-modules', '-V', '-views', '-F', '-files', '-I', '-imports', '-A', '-actions', '-E', '-exports', '-P', '-processes',
  '-L', '-l', '-list', '-emd', '-x', '-execute', '-x:all', '-execute:all', '-f', '-file', '-p', '-put', '-puts', '-putc',
  '-g', '-get', '-gets', '-getc', '-get:csv', '-get:csv_sc', '-get:csv_mc', '-i', '-import', '-e', '-export', '-a', '-action',
  '-pr', '-process', '-mo', '-module', '-vi', '-view',
]);

/** The options that name the workspace and the model inside the Operation itself (by name or ID). */
export const WORKSPACE_OPTIONS: ReadonlySet<string> = new Set(['-w', '-workspace', '-w_id', '-workspace_id']);
export const MODEL_OPTIONS: ReadonlySet<string> = new Set(['-m', '-model', '-m_id', '-model_id']);

/** The options whose value is a local file, read or written by Anaplan Connect. */
export const LOCAL_FILE_OPTIONS: ReadonlySet<string> = new Set(['-p', '-put', '-g', '-get', '-get:csv', '-get:csv_sc', '-get:csv_mc']);

/** Whether the Operation runs something inside a model (and so needs a workspace and a model). */
export function operationActsInModel(operation: readonly string[]): boolean {
  return operation.some((word) => MODEL_ACTION_OPTIONS.has(word));
}

/** Whether the Operation names its workspace and model itself (-workspace/-model or their IDs). */
export function operationNamesModel(operation: readonly string[]): boolean {
  const named = (options: ReadonlySet<string>) => operation.some((word, index) => options.has(word) && (operation[index + 1] ?? '') !== '');
  return named(WORKSPACE_OPTIONS) && named(MODEL_OPTIONS);
}

/** The local files of -put/-get (value and its position) that are not absolute paths. */
export function relativeLocalFiles(operation: readonly string[]): Array<{ index: number; path: string }> {
  const found: Array<{ index: number; path: string }> = [];
  operation.forEach((word, index) => {
    const path = operation[index + 1];
    if (LOCAL_FILE_OPTIONS.has(word) && path !== undefined && path !== '' && !ABSOLUTE_PATH.test(path)) found.push({ index: index + 1, path });
  });
  return found;
}

export const NO_MODEL_MESSAGE =
  'The Operation runs an action in a model, but no workspace ID and model ID were given (CLI: --workspace-id and --model-id; in the assistant: the Workspace and model step). Without them Anaplan Connect logs "A workspace ID must be provided", runs nothing, and still exits 0, so a scheduler would report success. Give both IDs and export again.';

export function relativeLocalFileMessage(path: string): string {
  const name = path.split(/[\\/]/).pop() || 'data.csv';
  return `The local file "${path}" is a relative path. The job runs Anaplan Connect from its own folder, which would look for it there and fail with "File not found". Give its full path, such as /srv/anaplan/data/${name} or C:\\data\\${name}.`;
}
