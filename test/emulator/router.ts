import type { RequestContext } from './context.js';
import { emptyReply, jsonReply, type Reply } from './reply.js';

/**
 * A route module is one service's set of routes (token service, integration API, later the
 * CA-certificate login or the OAuth device grant). server.ts lists the modules; adding a
 * service means writing one module and adding it to that list.
 */
export interface RouteModule {
  name: string;
  routes: Route[];
}

export type RouteHandler = (ctx: RequestContext) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  pattern: string;
  match: (path: string) => Record<string, string> | null;
  handle: RouteHandler;
}

/** `pattern` is a path with `:name` segments, e.g. `/2/0/workspaces/:workspaceId/models`. */
export function route(method: string, pattern: string, handle: RouteHandler): Route {
  const names: string[] = [];
  const source = pattern
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return escapeRegExp(segment);
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  const regex = new RegExp(`^${source}$`);
  return {
    method: method.toUpperCase(),
    pattern,
    handle,
    match(path) {
      const found = regex.exec(path);
      if (!found) return null;
      const params: Record<string, string> = {};
      try {
        names.forEach((name, index) => {
          params[name] = decodeURIComponent(found[index + 1] ?? '');
        });
      } catch {
        return null; // a garbled %-escape matches nothing
      }
      return params;
    },
  };
}

export function createRouter(modules: RouteModule[]): (ctx: Omit<RequestContext, 'params'>) => Promise<Reply> {
  const routes = modules.flatMap((module) => module.routes);
  return async (ctx) => {
    const allowed: string[] = [];
    for (const candidate of routes) {
      const params = candidate.match(ctx.path);
      if (!params) continue;
      if (candidate.method === ctx.method) return candidate.handle({ ...ctx, params });
      allowed.push(candidate.method);
    }
    if (allowed.length > 0) {
      return { ...emptyReply(405), headers: { allow: allowed.join(', ') } };
    }
    return jsonReply(404, { status: { code: 404, message: 'Not Found' } });
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
