import { z } from 'zod';
import { AppError } from '../core/errors.js';
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
