import * as z from 'zod';
import { AppError } from '../errors.js';
import type { HttpClient } from '../net/http.js';
import { hostOf, parseAnswer } from './json.js';
import { httpProblem, type AuthToken } from './token-service.js';

/** Anaplan Integration API v2.0 reads used by the assistant (anaplan-facts §2). */

export const AnaplanUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  customerId: z.string().optional(),
});
export type AnaplanUser = z.infer<typeof AnaplanUserSchema>;

const MeSchema = z.object({ user: AnaplanUserSchema });

const WorkspaceSchema = z.object({ id: z.string(), name: z.string(), active: z.boolean().optional() });
const WorkspacesSchema = z.object({ workspaces: z.array(WorkspaceSchema).optional().default([]) });
export type Workspace = z.infer<typeof WorkspaceSchema>;

const ModelSchema = z.object({ id: z.string(), name: z.string(), activeState: z.string().optional() });
const ModelsSchema = z.object({ models: z.array(ModelSchema).optional().default([]) });
export type Model = z.infer<typeof ModelSchema>;

const NamedSchema = z.object({ id: z.string(), name: z.string() });
const ModelObjectsSchemas = {
  imports: z.object({ imports: z.array(NamedSchema).optional().default([]) }),
  exports: z.object({ exports: z.array(NamedSchema).optional().default([]) }),
  processes: z.object({ processes: z.array(NamedSchema).optional().default([]) }),
  actions: z.object({ actions: z.array(NamedSchema).optional().default([]) }),
  files: z.object({ files: z.array(NamedSchema).optional().default([]) }),
};
export type ModelObjectKind = keyof typeof ModelObjectsSchemas;
export type ModelObjects = Record<ModelObjectKind, Array<{ id: string; name: string }>>;

export class IntegrationApi {
  constructor(
    private readonly http: HttpClient,
    private readonly apiUrl: string,
    private readonly token: AuthToken,
  ) {}

  async me(): Promise<AnaplanUser> {
    return (await this.get('/2/0/users/me', MeSchema, 'user details')).user;
  }

  async workspaces(): Promise<Workspace[]> {
    return (await this.get('/2/0/workspaces?tenantDetails=true', WorkspacesSchema, 'workspace list')).workspaces;
  }

  async models(workspaceId: string): Promise<Model[]> {
    const path = `/2/0/workspaces/${encodeURIComponent(workspaceId)}/models?modelDetails=true`;
    return (await this.get(path, ModelsSchema, 'model list')).models;
  }

  /** The model's imports, exports, processes, actions and files: what an Anaplan Connect job can run. */
  async modelObjects(workspaceId: string, modelId: string): Promise<ModelObjects> {
    const base = `/2/0/workspaces/${encodeURIComponent(workspaceId)}/models/${encodeURIComponent(modelId)}`;
    const [imports, exports, processes, actions, files] = await Promise.all([
      this.get(`${base}/imports`, ModelObjectsSchemas.imports, 'import list'),
      this.get(`${base}/exports`, ModelObjectsSchemas.exports, 'export list'),
      this.get(`${base}/processes`, ModelObjectsSchemas.processes, 'process list'),
      this.get(`${base}/actions`, ModelObjectsSchemas.actions, 'action list'),
      this.get(`${base}/files`, ModelObjectsSchemas.files, 'file list'),
    ]);
    const named = (items: Array<{ id: string; name: string }>) => items.map(({ id, name }) => ({ id, name }));
    return {
      imports: named(imports.imports),
      exports: named(exports.exports),
      processes: named(processes.processes),
      actions: named(actions.actions),
      files: named(files.files),
    };
  }

  private async get<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T> {
    const host = hostOf(this.apiUrl);
    const response = await this.http.send({
      method: 'GET',
      url: `${this.apiUrl}${path}`,
      // OAuth access tokens travel the same way (anaplan-facts §2).
      headers: { authorization: `AnaplanAuthToken ${this.token.value}`, accept: 'application/json' },
      idempotent: true,
    });
    if (response.status === 401) {
      throw new AppError(
        'region_mismatch',
        `The login worked, but the integration API at ${host} refused the token (HTTP 401). The auth and API addresses are probably for different regions: choose the region your tenant is hosted in (the address you use to sign in to Anaplan tells it).`,
      );
    }
    if (response.status !== 200) throw httpProblem(response, host, `the ${what}`, path.split('?')[0] ?? path);
    return parseAnswer(response, schema, what, host);
  }
}
