import type { RequestContext } from '../context.js';
import { jsonReply, type Reply } from '../reply.js';
import { route, type RouteHandler, type RouteModule } from '../router.js';
import type { EmulatorModel, EmulatorUser, EmulatorWorkspace, ModelObjects } from '../state.js';
import { liveToken } from '../tokens.js';

/** Integration API v2.0 reads (anaplan-facts §2). Every call needs a live AnaplanAuthToken. */

type AuthedHandler = (ctx: RequestContext, user: EmulatorUser) => Reply;

const MODEL_OBJECT_KINDS = ['imports', 'exports', 'processes', 'actions', 'files'] as const satisfies readonly (keyof ModelObjects)[];

export const integrationApi: RouteModule = {
  name: 'integration-api',
  routes: [
    route('GET', '/2/0/users/me', authed((ctx, user) =>
      success(ctx, 'user', {
        user: {
          id: user.id,
          active: true,
          email: user.email,
          emailOptIn: false,
          firstName: user.firstName,
          lastName: user.lastName,
          customerId: user.customerId,
          lastLoginDate: anaplanDate(user.lastLoginAt ?? ctx.env.now()),
        },
      }),
    )),

    route('GET', '/2/0/workspaces', authed((ctx, user) => {
      const tenantDetails = ctx.query.get('tenantDetails') === 'true';
      const workspaces = visibleWorkspaces(ctx, user).map((workspace) => workspaceJson(workspace, tenantDetails));
      return success(ctx, 'workspace', { workspaces }, workspaces.length);
    })),

    route('GET', '/2/0/workspaces/:workspaceId/models', authed((ctx, user) => {
      const workspace = findWorkspace(ctx, user);
      if (!workspace) return notFound('Workspace not found');
      const modelDetails = ctx.query.get('modelDetails') === 'true';
      const models = ctx.env.state.models
        .filter((model) => model.workspaceId === workspace.id)
        .map((model) => modelJson(ctx, model, workspace, modelDetails));
      return success(ctx, 'model', { models }, models.length);
    })),

    ...MODEL_OBJECT_KINDS.map((kind) =>
      route('GET', `/2/0/workspaces/:workspaceId/models/:modelId/${kind}`, authed((ctx, user) => {
        const workspace = findWorkspace(ctx, user);
        if (!workspace) return notFound('Workspace not found');
        const model = ctx.env.state.models.find((m) => m.id === ctx.params.modelId && m.workspaceId === workspace.id);
        if (!model) return notFound('Model not found');
        const entries = model.objects[kind];
        return success(ctx, singular(kind), { [kind]: entries }, entries.length);
      })),
    ),
  ],
};

function authed(handle: AuthedHandler): RouteHandler {
  return (ctx) => {
    const token = liveToken(ctx.env, ctx.headers.authorization);
    if (!token) return jsonReply(401, { status: { code: 401, message: 'Authentication failed' } });
    return handle(ctx, token.user);
  };
}

function visibleWorkspaces(ctx: RequestContext, user: EmulatorUser): EmulatorWorkspace[] {
  return ctx.env.state.workspaces.filter((workspace) => user.workspaceIds.includes(workspace.id));
}

/** A workspace the user may not see is answered like one that does not exist. */
function findWorkspace(ctx: RequestContext, user: EmulatorUser): EmulatorWorkspace | undefined {
  return visibleWorkspaces(ctx, user).find((workspace) => workspace.id === ctx.params.workspaceId);
}

function workspaceJson(workspace: EmulatorWorkspace, tenantDetails: boolean): Record<string, unknown> {
  const base = { id: workspace.id, name: workspace.name, active: workspace.active };
  return tenantDetails ? { ...base, sizeAllowance: workspace.sizeAllowance, currentSize: workspace.currentSize } : base;
}

function modelJson(ctx: RequestContext, model: EmulatorModel, workspace: EmulatorWorkspace, modelDetails: boolean): Record<string, unknown> {
  const base = {
    id: model.id,
    activeState: model.activeState,
    name: model.name,
    currentWorkspaceId: workspace.id,
    currentWorkspaceName: workspace.name,
    modelUrl: `${ctx.env.baseUrl}/core?selectedWorkspaceId=${workspace.id}&selectedModelId=${model.id}`,
    categoryValues: [],
  };
  return modelDetails ? { ...base, memoryUsage: model.memoryUsage, isoCreationDate: '2024-01-15T09:30:00.000+0000' } : base;
}

function success(ctx: RequestContext, schema: string, payload: Record<string, unknown>, pageSize?: number): Reply {
  const paging = pageSize === undefined ? {} : { paging: { currentPageSize: pageSize, offset: 0, totalSize: pageSize } };
  return jsonReply(200, {
    meta: { ...paging, schema: `${ctx.env.baseUrl}/2/0/objects/${schema}` },
    status: { code: 200, message: 'Success' },
    ...payload,
  });
}

function notFound(message: string): Reply {
  return jsonReply(404, { status: { code: 404, message } });
}

function singular(kind: (typeof MODEL_OBJECT_KINDS)[number]): string {
  return kind === 'processes' ? 'process' : kind.slice(0, -1);
}

/** Anaplan's date style, e.g. `2026-05-01T10:00:00.000+0000`. */
function anaplanDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}
