import type { EmulatorEnv } from './context.js';
import {
  randomHexId,
  type EmulatorModel,
  type EmulatorState,
  type EmulatorTask,
  type ImportDefinition,
  type TaskKind,
  type TaskRecord,
  type TaskResult,
  type TaskResultDetail,
} from './state.js';
import { dataRows, fileContent, findExport, writeExportFile } from './transfers.js';

/**
 * Tasks: what POST .../{kind}/{id}/tasks starts and GET .../tasks/{taskId} reports. A task does
 * not run in the background: each status read moves it on, IN_PROGRESS for the first
 * `inProgressPolls` reads (default 1), then COMPLETE with its result. Completing is when it acts:
 * an export writes its file then, and a process runs its actions in order.
 */

export const TASK_KINDS = ['imports', 'exports', 'processes', 'actions'] as const satisfies readonly TaskKind[];

export function isTaskKind(value: string): value is TaskKind {
  return (TASK_KINDS as readonly string[]).includes(value);
}

export interface NewTask {
  kind: TaskKind;
  objectId: string;
  workspaceId: string;
  modelId: string;
  userEmail: string;
  localeName: string;
}

/** failNextTask: the next task created for that object fails. Throws when no model has such an object. */
export function scriptFailure(state: EmulatorState, kind: TaskKind, objectId: string, message: string | undefined): void {
  if (!isTaskKind(kind)) throw new Error(`Unknown task kind "${String(kind)}"`);
  if (!state.models.some((model) => model.objects[kind].some((entry) => entry.id === objectId))) throw new Error(`No model has ${kind} ${objectId}`);
  state.transfers.failures.push({ kind, objectId, message });
}

/** A task as tests see it: the public fields only. */
export function publicTask(record: TaskRecord): EmulatorTask {
  const { kind, objectId, workspaceId, modelId, taskId, userEmail, state } = record;
  return { kind, objectId, workspaceId, modelId, taskId, userEmail, state };
}

/** Records a new task, NOT_STARTED, taking the first failNextTask script for its object. */
export function createTask(env: EmulatorEnv, input: NewTask): TaskRecord {
  const failures = env.state.transfers.failures;
  const scripted = failures.findIndex((failure) => failure.kind === input.kind && failure.objectId === input.objectId);
  const failure = scripted === -1 ? null : { message: failures.splice(scripted, 1)[0]?.message };
  const record: TaskRecord = {
    ...input,
    taskId: randomHexId(),
    state: 'NOT_STARTED',
    creationTime: env.now(),
    polls: 0,
    failure,
    result: null,
    dumps: new Map(),
  };
  env.state.transfers.tasks.push(record);
  return record;
}

/** A status read: moves a running task on. */
export function pollTask(env: EmulatorEnv, record: TaskRecord): void {
  if (record.state !== 'NOT_STARTED' && record.state !== 'IN_PROGRESS') return;
  record.polls += 1;
  if (record.polls <= env.inProgressPolls) {
    record.state = 'IN_PROGRESS';
    return;
  }
  const model = env.state.models.find((m) => m.id === record.modelId);
  record.result = model ? runObject(env.state, model, record.kind, record.objectId, record.failure, record.dumps) : null;
  record.state = 'COMPLETE';
}

/** DELETE .../tasks/{taskId}: a task not yet complete is cancelled and acts no more. */
export function cancelTask(record: TaskRecord): void {
  if (record.state === 'NOT_STARTED' || record.state === 'IN_PROGRESS') record.state = 'CANCELLED';
}

/** `task` of a status answer, in the documented shape ("Get the status of an export task"). */
export function taskStatusJson(record: TaskRecord, answerState = record.state): Record<string, unknown> {
  const base: Record<string, unknown> = { type: 'taskInformation', taskId: record.taskId };
  switch (answerState) {
    case 'NOT_STARTED':
      return { ...base, progress: 0, taskState: answerState, creationTime: record.creationTime };
    case 'IN_PROGRESS':
      return { ...base, progress: 0.5, taskState: answerState, creationTime: record.creationTime };
    case 'COMPLETE':
      return { ...base, currentStep: 'Complete.', progress: 1, result: record.result, taskState: answerState, creationTime: record.creationTime };
    case 'CANCELLING':
    case 'CANCELLED':
      return { ...base, currentStep: 'Cancelled.', progress: 0, taskState: answerState, creationTime: record.creationTime };
  }
}

type Failure = TaskRecord['failure'];

function runObject(state: EmulatorState, model: EmulatorModel, kind: TaskKind, objectId: string, failure: Failure, dumps: Map<string, Buffer>): TaskResult {
  switch (kind) {
    case 'imports': {
      const definition = model.objects.imports.find((entry) => entry.id === objectId);
      return definition ? runImport(state, model, definition, failure, dumps) : missing(objectId);
    }
    case 'exports': {
      const definition = findExport(model, objectId);
      if (!definition || definition.id !== objectId) return missing(objectId);
      if (failure) return failed(objectId, failure.message ?? `${definition.name}: export failed`);
      writeExportFile(state, model.id, definition);
      // An export's result is only these three fields (Anaplan's "Get the status of an export task").
      return { failureDumpAvailable: false, objectId, successful: true };
    }
    case 'actions': {
      const definition = model.objects.actions.find((entry) => entry.id === objectId);
      if (!definition) return missing(objectId);
      // "For a deletion action, failureDumpAvailable is always false" (Anaplan's "Monitor the process tasks").
      if (failure) return failed(objectId, failure.message ?? `${definition.name}: action failed`);
      return { failureDumpAvailable: false, objectId, successful: true };
    }
    case 'processes': {
      const definition = model.objects.processes.find((entry) => entry.id === objectId);
      return definition ? runProcess(state, model, definition.actionIds, objectId, failure, dumps) : missing(objectId);
    }
  }
}

/**
 * A process runs its actions in order and reports each as a nested result. A scripted failure
 * makes the first action fail and the process stop there; the process has a dump when that
 * action does (Anaplan's "Monitor the process tasks": failureDumpAvailable "indicates whether this
 * process container or an action within it has a failure dump file").
 */
function runProcess(state: EmulatorState, model: EmulatorModel, actionIds: string[], processId: string, failure: Failure, dumps: Map<string, Buffer>): TaskResult {
  if (failure && actionIds.length === 0) return failed(processId, failure.message ?? 'Process failed');
  const nestedResults: TaskResult[] = [];
  for (const [index, actionId] of actionIds.entries()) {
    const kind = kindOf(model, actionId);
    const nested = kind ? runObject(state, model, kind, actionId, index === 0 ? failure : null, dumps) : missing(actionId);
    nestedResults.push(nested);
    if (!nested.successful) break;
  }
  return {
    failureDumpAvailable: nestedResults.some((nested) => nested.failureDumpAvailable),
    nestedResults,
    objectId: processId,
    successful: nestedResults.every((nested) => nested.successful),
  };
}

function kindOf(model: EmulatorModel, objectId: string): TaskKind | undefined {
  if (model.objects.imports.some((entry) => entry.id === objectId)) return 'imports';
  if (model.objects.exports.some((entry) => entry.id === objectId)) return 'exports';
  if (model.objects.actions.some((entry) => entry.id === objectId)) return 'actions';
  return undefined;
}

/**
 * An import reads the rows of its source file's last completed upload (none: 0 rows). A list
 * import reports `hierarchyRowsProcessed` with Anaplan's documented values ("Check the status of
 * the import action"); the detail type for other import types is not documented, so those report
 * the emulator's own `rowsProcessed`. A failed import has a dump: the rows it read, each with
 * `_Line_` and `_Error_1_` first, as Anaplan's import dumps have.
 */
function runImport(state: EmulatorState, model: EmulatorModel, definition: ImportDefinition, failure: Failure, dumps: Map<string, Buffer>): TaskResult {
  const source = model.objects.files.find((file) => file.id === definition.importDataSourceId);
  const firstDataRow = source?.firstDataRow ?? 2;
  const rows = dataRows(source ? fileContent(state, model.id, source.id) : undefined, firstDataRow);
  const target = importTarget(definition);
  const list = definition.importType === 'HIERARCHY_DATA';
  if (failure) {
    const message = failure.message ?? `${target}: 0 (0/0) rows successful, 0 (0/0) rows has warnings, ${rows.length} failed, 0 ignored`;
    dumps.set(definition.id, importDump(rows, firstDataRow, message));
    const detail = { localMessageText: message, occurrences: 0, type: list ? 'hierarchyRowsProcessedWithFailures' : 'rowsProcessedWithFailures', values: [] };
    return { details: [detail], failureDumpAvailable: true, objectId: definition.id, successful: false };
  }
  const count = String(rows.length);
  const detail: TaskResultDetail = list
    ? {
        localMessageText: `${target}: ${count} (0/${count}) rows successful, 0 ignored`,
        occurrences: 0,
        type: 'hierarchyRowsProcessed',
        values: [
          'hierarchyName', target, 'successRowCount', count, 'successCreateCount', '0', 'successUpdateCount', count,
          'warningsRowCount', '0', 'warningsCreateCount', '0', 'warningsUpdateCount', '0', 'failedCount', '0', 'ignoredCount', '0',
          'totalRowCount', count, 'totalCreateCount', '0', 'totalUpdateCount', count, 'invalidCount', '0',
          'updatedCount', count, 'renamedCount', count, 'createdCount', '0',
        ],
      }
    : { localMessageText: `${target}: ${count} rows successful, 0 ignored`, occurrences: 0, type: 'rowsProcessed', values: ['successRowCount', count, 'ignoredCount', '0'] };
  return { details: [detail], failureDumpAvailable: false, objectId: definition.id, successful: true };
}

/** "Employees from employees.csv" imports into "Employees". */
function importTarget(definition: ImportDefinition): string {
  const at = definition.name.indexOf(' from ');
  return at > 0 ? definition.name.slice(0, at) : definition.name;
}

function importDump(rows: string[], firstDataRow: number, message: string): Buffer {
  const quoted = `"${message.replace(/"/g, '""')}"`;
  const lines = rows.length > 0 ? rows.map((row, index) => `${firstDataRow + index},${quoted},${row}`) : [`${firstDataRow},${quoted}`];
  return Buffer.from(['_Line_,_Error_1_', ...lines, ''].join('\n'), 'utf8');
}

function failed(objectId: string, message: string): TaskResult {
  return { details: [{ localMessageText: message, occurrences: 0, type: 'failure', values: [] }], failureDumpAvailable: false, objectId, successful: false };
}

function missing(objectId: string): TaskResult {
  return failed(objectId, `Object ${objectId} no longer exists in the model`);
}
