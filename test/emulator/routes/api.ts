import type { RequestContext } from '../context.js';
import { jsonReply, type Reply } from '../reply.js';
import type { RouteHandler } from '../router.js';
import type { EmulatorModel, EmulatorUser, EmulatorWorkspace } from '../state.js';
import { liveToken } from '../tokens.js';

/**
 * What every Integration API v2.0 route shares: the AnaplanAuthToken check, workspace and model
 * visibility, paged lists and Anaplan's JSON envelope (`meta`, `status`, then the payload).
 */

export type AuthedHandler = (ctx: RequestContext, user: EmulatorUser) => Reply | Promise<Reply>;

/** Every call needs a live `Authorization: AnaplanAuthToken <token>`. */
export function authed(handle: AuthedHandler): RouteHandler {
  return (ctx) => {
    const token = liveToken(ctx.env, ctx.headers.authorization);
    if (!token) return jsonReply(401, { status: { code: 401, message: 'Authentication failed' } });
    return handle(ctx, token.user);
  };
}

export function visibleWorkspaces(ctx: RequestContext, user: EmulatorUser): EmulatorWorkspace[] {
  return ctx.env.state.workspaces.filter((workspace) => user.workspaceIds.includes(workspace.id));
}

/** A workspace the user may not see is answered like one that does not exist. */
export function findWorkspace(ctx: RequestContext, user: EmulatorUser, workspaceId = ctx.params.workspaceId): EmulatorWorkspace | undefined {
  return visibleWorkspaces(ctx, user).find((workspace) => workspace.id === workspaceId);
}

export interface ModelScope {
  workspace: EmulatorWorkspace;
  model: EmulatorModel;
}

/** The `:workspaceId` and `:modelId` of the path, when the user may see them; else the 404 to send. */
export function modelScope(ctx: RequestContext, user: EmulatorUser): ModelScope | Reply {
  const workspace = findWorkspace(ctx, user);
  if (!workspace) return notFound('Workspace not found');
  const model = ctx.env.state.models.find((m) => m.id === ctx.params.modelId && m.workspaceId === workspace.id);
  if (!model) return notFound('Model not found');
  return { workspace, model };
}

export function isReply(value: ModelScope | Reply): value is Reply {
  return 'status' in value && typeof value.status === 'number';
}

/** Boolean query flags compare without case: Anaplan Connect sends `tenantDetails=True`. */
export function queryFlag(ctx: RequestContext, name: string): boolean {
  return ctx.query.get(name)?.toLowerCase() === 'true';
}

/** Anaplan's schema URL for an object type: model objects are under the model. */
export function schemaUrl(ctx: RequestContext, type: string, modelId?: string): string {
  return modelId === undefined ? `${ctx.env.baseUrl}/2/0/objects/${type}` : `${ctx.env.baseUrl}/2/0/models/${modelId}/objects/${type}`;
}

/** One object: `{meta: {schema}, status, <key>: value}`. */
export function itemReply(schema: string, key: string, value: unknown): Reply {
  return jsonReply(200, {
    meta: { schema },
    status: { code: 200, message: 'Success' },
    [key]: value,
  });
}

const WHOLE_NUMBER = /^\d{1,9}$/;

/**
 * One page of a list: `{meta: {paging: {currentPageSize, offset, totalSize[, next]}, schema}, status, <key>: [...]}`.
 * `offset` (default 0) and `limit` (default the emulator's page size: Anaplan's 5000 for /models)
 * pick the page; Anaplan Connect's Paginator asks again at offset + currentPageSize while that is
 * below totalSize. `next` is the URL of the following page, as the client's Paging DTO expects.
 * Chunk lists pass an unlimited default: Anaplan Connect reads a file's chunks from one answer
 * (ServerFile.upLoad and downLoad do not page), and a file has at most 1000 chunks.
 */
export function listReply(ctx: RequestContext, schema: string, key: string, items: readonly unknown[], defaultLimit = ctx.env.pageSize): Reply {
  const offsetText = ctx.query.get('offset') ?? '0';
  const limitText = ctx.query.get('limit');
  if (!WHOLE_NUMBER.test(offsetText)) return badRequest(`Invalid offset "${offsetText}"`);
  if (limitText !== null && (!WHOLE_NUMBER.test(limitText) || Number(limitText) === 0)) return badRequest(`Invalid limit "${limitText}"`);
  const offset = Number(offsetText);
  const limit = limitText === null ? defaultLimit : Number(limitText);
  const page = items.slice(offset, offset + limit);
  const paging: Record<string, unknown> = { currentPageSize: page.length, offset, totalSize: items.length };
  if (offset + page.length < items.length) paging.next = nextPageUrl(ctx, offset + page.length, limit);
  return jsonReply(200, {
    meta: { paging, schema },
    status: { code: 200, message: 'Success' },
    [key]: page,
  });
}

function nextPageUrl(ctx: RequestContext, offset: number, limit: number): string {
  const query = new URLSearchParams(ctx.query);
  query.set('offset', String(offset));
  query.set('limit', String(limit));
  return `${ctx.env.baseUrl}${ctx.path}?${query.toString()}`;
}

export function notFound(message: string): Reply {
  return jsonReply(404, { status: { code: 404, message } });
}

export function badRequest(message: string): Reply {
  return jsonReply(400, { status: { code: 400, message } });
}

/** The body as a JSON object; undefined when it is not one (an empty body is `{}`). */
export function jsonObjectBody(ctx: RequestContext): Record<string, unknown> | undefined {
  if (ctx.body.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(ctx.body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Anaplan's date style, e.g. `2026-05-01T10:00:00.000+0000`. */
export function anaplanDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}
