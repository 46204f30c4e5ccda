import type { RequestContext } from '../context.js';
import { route, type RouteModule } from '../router.js';
import type { EmulatorModel, EmulatorUser, EmulatorWorkspace, ModelObjects } from '../state.js';
import { anaplanDate, authed, findWorkspace, isReply, itemReply, listReply, modelScope, notFound, queryFlag, schemaUrl, visibleWorkspaces } from './api.js';

/**
 * Integration API v2.0 reads (anaplan-facts §2). Every call needs a live AnaplanAuthToken.
 * Lists are paged (api.ts listReply). The file list is in files.ts.
 */

const LISTED_KINDS = ['imports', 'exports', 'processes', 'actions'] as const satisfies readonly (keyof ModelObjects)[];

export const integrationApi: RouteModule = {
  name: 'integration-api',
  routes: [
    route('GET', '/2/0/users/me', authed((ctx, user) =>
      itemReply(schemaUrl(ctx, 'user'), 'user', {
        id: user.id,
        active: true,
        email: user.email,
        emailOptIn: false,
        firstName: user.firstName,
        lastName: user.lastName,
        customerId: user.customerId,
        lastLoginDate: anaplanDate(user.lastLoginAt ?? ctx.env.now()),
      }),
    )),

    // Anaplan Connect asks `?tenantDetails=True&offset=N` (AnaplanAPIFeign.getWorkspaces).
    route('GET', '/2/0/workspaces', authed((ctx, user) => {
      const tenantDetails = queryFlag(ctx, 'tenantDetails');
      const workspaces = visibleWorkspaces(ctx, user).map((workspace) => workspaceJson(workspace, tenantDetails));
      return listReply(ctx, schemaUrl(ctx, 'workspace'), 'workspaces', workspaces);
    })),

    route('GET', '/2/0/workspaces/:workspaceId', authed((ctx, user) => {
      const workspace = findWorkspace(ctx, user);
      if (!workspace) return notFound('Workspace not found');
      return itemReply(schemaUrl(ctx, 'workspace'), 'workspace', workspaceJson(workspace, queryFlag(ctx, 'tenantDetails')));
    })),

    route('GET', '/2/0/workspaces/:workspaceId/models', authed((ctx, user) => {
      const workspace = findWorkspace(ctx, user);
      if (!workspace) return notFound('Workspace not found');
      const modelDetails = queryFlag(ctx, 'modelDetails');
      const models = ctx.env.state.models
        .filter((model) => model.workspaceId === workspace.id)
        .map((model) => modelJson(ctx, model, workspace, modelDetails));
      return listReply(ctx, schemaUrl(ctx, 'model'), 'models', models);
    })),

    // Every model the user may see, across workspaces: Anaplan Connect finds a model by name here
    // and keeps those whose currentWorkspaceId is the workspace (Workspace.getModels).
    route('GET', '/2/0/models', authed((ctx, user) => {
      const modelDetails = queryFlag(ctx, 'modelDetails');
      const models = visibleModels(ctx, user).map(({ model, workspace }) => modelJson(ctx, model, workspace, modelDetails));
      return listReply(ctx, schemaUrl(ctx, 'model'), 'models', models);
    })),

    route('GET', '/2/0/models/:modelId', authed((ctx, user) => {
      const found = visibleModels(ctx, user).find(({ model }) => model.id === ctx.params.modelId);
      if (!found) return notFound('Model not found');
      return itemReply(schemaUrl(ctx, 'model'), 'model', modelJson(ctx, found.model, found.workspace, queryFlag(ctx, 'modelDetails')));
    })),

    ...LISTED_KINDS.map((kind) =>
      route('GET', `/2/0/workspaces/:workspaceId/models/:modelId/${kind}`, authed((ctx, user) => {
        const scope = modelScope(ctx, user);
        if (isReply(scope)) return scope;
        const entries = scope.model.objects[kind].map((entry) => listedJson(kind, entry));
        return listReply(ctx, schemaUrl(ctx, singular(kind), scope.model.id), kind, entries);
      })),
    ),
  ],
};

function visibleModels(ctx: RequestContext, user: EmulatorUser): { model: EmulatorModel; workspace: EmulatorWorkspace }[] {
  const workspaces = visibleWorkspaces(ctx, user);
  return ctx.env.state.models.flatMap((model) => {
    const workspace = workspaces.find((w) => w.id === model.workspaceId);
    return workspace ? [{ model, workspace }] : [];
  });
}

/** The process list is id and name only (Anaplan's "Get the list of processes"); the others list as stored. */
function listedJson(kind: (typeof LISTED_KINDS)[number], entry: ModelObjects[typeof kind][number]): Record<string, unknown> {
  if (kind === 'processes') return { id: entry.id, name: entry.name };
  return { ...entry };
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

function singular(kind: (typeof LISTED_KINDS)[number]): string {
  return kind === 'processes' ? 'process' : kind.slice(0, -1);
}
