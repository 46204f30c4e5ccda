import type { RequestContext } from '../context.js';
import { bytesReply, type Reply } from '../reply.js';
import { route, type Route, type RouteModule } from '../router.js';
import type { EmulatorModel, EmulatorUser, TaskKind, TaskRecord } from '../state.js';
import { cancelTask, createTask, pollTask, TASK_KINDS, taskStatusJson } from '../task-runner.js';
import { dataRows, exportContent, splitChunks } from '../transfers.js';
import { authed, badRequest, isReply, itemReply, jsonObjectBody, listReply, modelScope, notFound, schemaUrl, type ModelScope } from './api.js';

/**
 * Tasks of imports, exports, processes and actions (Integration API v2.0 "Import actions",
 * "Export actions", "Process actions", "Delete actions"): start one, list them, read one's status,
 * cancel one, and download its failure dumps; plus an export's metadata. The same routes serve
 * every kind, as Anaplan Connect calls the same shapes for each (AnaplanAPIFeign). How a task
 * moves on and what it does is in task-runner.ts.
 */

const MODEL_PATH = '/2/0/workspaces/:workspaceId/models/:modelId';

const NAMES: Record<TaskKind, string> = { imports: 'Import', exports: 'Export', processes: 'Process', actions: 'Action' };

export const tasksApi: RouteModule = {
  name: 'tasks',
  routes: [
    ...TASK_KINDS.flatMap((kind) => kindRoutes(kind)),

    // Export metadata ("Get the export definitions": `exportMetadata`), described from the content the export writes.
    route('GET', `${MODEL_PATH}/exports/:objectId`, authed((ctx, user) =>
      withObject(ctx, user, 'exports', (scope) => {
        const definition = scope.model.objects.exports.find((entry) => entry.id === ctx.params.objectId);
        if (!definition) return notFound('Export not found');
        const [header = '', ...rows] = dataRows(exportContent(ctx.env.state, scope.model.id, definition), 1);
        const headerNames = header === '' ? [] : header.split(',');
        return itemReply(schemaUrl(ctx, 'exportMetadata', scope.model.id), 'exportMetadata', {
          columnCount: headerNames.length,
          // MIXED: "If the export has its line items in rows or pages, Anaplan does not know the types".
          dataTypes: headerNames.map(() => 'MIXED'),
          delimiter: '"',
          encoding: 'UTF-8',
          exportFormat: definition.exportFormat,
          headerNames,
          listNames: headerNames.map(() => ''),
          rowCount: rows.length,
          separator: ',',
        });
      }),
    )),
  ],
};

function kindRoutes(kind: TaskKind): Route[] {
  const base = `${MODEL_PATH}/${kind}/:objectId/tasks`;
  return [
    // "The request body must include localeName or the action returns 400." Anaplan Connect sends
    // the object's own record with localeName (Locale.getDefault()) merged in.
    route('POST', base, authed((ctx, user) =>
      withObject(ctx, user, kind, (scope) => {
        const body = jsonObjectBody(ctx);
        const localeName = body?.localeName;
        if (typeof localeName !== 'string' || localeName.trim() === '') return badRequest('localeName is required');
        const record = createTask(ctx.env, {
          kind,
          objectId: ctx.params.objectId ?? '',
          workspaceId: scope.workspace.id,
          modelId: scope.model.id,
          userEmail: user.email,
          localeName,
        });
        return itemReply(taskSchema(ctx, scope), 'task', { taskId: record.taskId, taskState: record.state, creationTime: record.creationTime });
      }),
    )),

    // Oldest first, as Anaplan sorts them by creationTime.
    route('GET', base, authed((ctx, user) =>
      withObject(ctx, user, kind, (scope) => {
        const tasks = ctx.env.state.transfers.tasks
          .filter((record) => record.kind === kind && record.objectId === ctx.params.objectId && record.modelId === scope.model.id)
          .map((record) => ({ taskId: record.taskId, taskState: record.state, creationTime: record.creationTime }));
        return listReply(ctx, taskSchema(ctx, scope), 'tasks', tasks);
      }),
    )),

    route('GET', `${base}/:taskId`, authed((ctx, user) =>
      withTask(ctx, user, kind, (scope, record) => {
        pollTask(ctx.env, record);
        return itemReply(taskSchema(ctx, scope), 'task', taskStatusJson(record));
      }),
    )),

    // "You can cancel an ongoing ... task if you make the same call using the DELETE verb." The
    // answer says CANCELLING; the next status read says CANCELLED.
    route('DELETE', `${base}/:taskId`, authed((ctx, user) =>
      withTask(ctx, user, kind, (scope, record) => {
        const running = record.state === 'NOT_STARTED' || record.state === 'IN_PROGRESS';
        cancelTask(record);
        return itemReply(taskSchema(ctx, scope), 'task', taskStatusJson(record, running ? 'CANCELLING' : record.state));
      }),
    )),

    // The task's own failure dump, and a process's dump for each failed action (by its object ID).
    route('GET', `${base}/:taskId/dump/chunks`, authed((ctx, user) =>
      withDump(ctx, user, kind, (record) => record.objectId, (scope, chunks) =>
        listReply(ctx, schemaUrl(ctx, 'chunk', scope.model.id), 'chunks', chunks.map((_, index) => ({ id: String(index), name: `Chunk ${index}` })), Number.POSITIVE_INFINITY),
      ),
    )),
    route('GET', `${base}/:taskId/dump/chunks/:chunkId`, authed((ctx, user) =>
      withDump(ctx, user, kind, (record) => record.objectId, (_scope, chunks) => chunkReply(ctx, chunks)),
    )),
    route('GET', `${base}/:taskId/dumps/:nestedId/chunks`, authed((ctx, user) =>
      withDump(ctx, user, kind, () => ctx.params.nestedId ?? '', (scope, chunks) =>
        listReply(ctx, schemaUrl(ctx, 'chunk', scope.model.id), 'chunks', chunks.map((_, index) => ({ id: String(index), name: `Chunk ${index}` })), Number.POSITIVE_INFINITY),
      ),
    )),
    route('GET', `${base}/:taskId/dumps/:nestedId/chunks/:chunkId`, authed((ctx, user) =>
      withDump(ctx, user, kind, () => ctx.params.nestedId ?? '', (_scope, chunks) => chunkReply(ctx, chunks)),
    )),
  ];
}

function taskSchema(ctx: RequestContext, scope: ModelScope): string {
  return schemaUrl(ctx, 'task', scope.model.id);
}

function hasObject(model: EmulatorModel, kind: TaskKind, objectId: string): boolean {
  return model.objects[kind].some((entry) => entry.id === objectId);
}

/** The path's model, if the user may see it and it has the `:objectId` of this kind. */
function withObject(ctx: RequestContext, user: EmulatorUser, kind: TaskKind, handle: (scope: ModelScope) => Reply): Reply {
  const scope = modelScope(ctx, user);
  if (isReply(scope)) return scope;
  if (!hasObject(scope.model, kind, ctx.params.objectId ?? '')) return notFound(`${NAMES[kind]} not found`);
  return handle(scope);
}

/** The `:taskId` of this object's tasks in this model. */
function withTask(ctx: RequestContext, user: EmulatorUser, kind: TaskKind, handle: (scope: ModelScope, record: TaskRecord) => Reply): Reply {
  return withObject(ctx, user, kind, (scope) => {
    const record = ctx.env.state.transfers.tasks.find(
      (task) => task.taskId === ctx.params.taskId && task.kind === kind && task.objectId === ctx.params.objectId && task.modelId === scope.model.id,
    );
    return record ? handle(scope, record) : notFound('Task not found');
  });
}

function withDump(
  ctx: RequestContext,
  user: EmulatorUser,
  kind: TaskKind,
  dumpId: (record: TaskRecord) => string,
  handle: (scope: ModelScope, chunks: Buffer[]) => Reply,
): Reply {
  return withTask(ctx, user, kind, (scope, record) => {
    const dump = record.dumps.get(dumpId(record));
    return dump ? handle(scope, splitChunks(dump)) : notFound('Dump file not found');
  });
}

function chunkReply(ctx: RequestContext, chunks: Buffer[]): Reply {
  const chunkId = ctx.params.chunkId ?? '';
  const chunk = /^\d{1,6}$/.test(chunkId) ? chunks[Number(chunkId)] : undefined;
  return chunk ? bytesReply(200, chunk) : notFound('Chunk not found');
}
