import { z } from 'zod';
import { faultFromJson, FaultJsonSchema, type FaultQueue } from '../faults.js';
import { bytesReply, emptyReply, jsonReply, type Reply } from '../reply.js';
import { route, type RouteModule } from '../router.js';
import { upsertUser, type EmulatorState } from '../state.js';
import type { RequestLogEntry } from '../request-log.js';
import { publicTask, scriptFailure, TASK_KINDS } from '../task-runner.js';
import { setExportContent, uploadedFile } from '../transfers.js';
import { registerCertificate } from './certificate-login.js';
import { approveDevice, denyDevice, isScriptedAnswer, SCRIPTABLE_ANSWERS, upsertOAuthClient, type DeviceDecision } from './oauth.js';

/**
 * `/__emulator/...`: lets another process (the app under a UI test) script the emulator.
 * server.ts neither logs these requests nor applies faults to them.
 */
export const CONTROL_PREFIX = '/__emulator/';

export interface ControlTarget {
  state: EmulatorState;
  faults: FaultQueue;
  log: RequestLogEntry[];
  reset(): void;
  /** The emulator's clock (device-code expiry). */
  now: () => number;
}

const NewUserSchema = z.object({
  email: z.email(),
  password: z.string().min(1),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  sso: z.boolean().optional(),
  passwordExpired: z.boolean().optional(),
  workspaceIds: z.array(z.string()).optional(),
});

/** `certificate`: PEM text or base64 of the DER. */
const NewCertificateSchema = z.object({ email: z.email(), certificate: z.string().min(1) });

const ApproveSchema = z.object({ user_code: z.string().min(1), email: z.string().min(1) });
const DenySchema = z.object({ user_code: z.string().min(1) });
const ScriptSchema = z.object({
  responses: z.array(z.string().refine(isScriptedAnswer, { message: `Each response is one of ${SCRIPTABLE_ANSWERS.join(', ')}` })),
});
const FailTaskSchema = z.object({ kind: z.enum(TASK_KINDS), objectId: z.string().min(1), message: z.string().optional() });
const ExportContentSchema = z.object({ modelId: z.string().min(1), exportId: z.string().min(1), content: z.string() });

const NewOAuthClientSchema = z.object({
  clientId: z.string().min(1),
  name: z.string().optional(),
  grantType: z.enum(['device', 'authorization_code']).optional(),
  rotatable: z.boolean().optional(),
  refreshTokenLifetime: z.number().positive().nullable().optional(),
});

export function controlRoutes(target: ControlTarget): RouteModule {
  return {
    name: 'control',
    routes: [
      route('POST', '/__emulator/faults', (ctx) => {
        const parsed = FaultJsonSchema.safeParse(parseJson(ctx.body));
        if (!parsed.success) return invalid(z.prettifyError(parsed.error));
        try {
          target.faults.add(faultFromJson(parsed.data));
        } catch (error) {
          return invalid(error instanceof Error ? error.message : String(error));
        }
        return jsonReply(201, { pendingFaults: target.faults.size });
      }),

      route('GET', '/__emulator/log', () => jsonReply(200, target.log)),

      route('POST', '/__emulator/reset', () => {
        target.reset();
        return emptyReply(204);
      }),

      route('POST', '/__emulator/users', (ctx) => {
        const parsed = NewUserSchema.safeParse(parseJson(ctx.body));
        if (!parsed.success) return invalid(z.prettifyError(parsed.error));
        const user = upsertUser(target.state, parsed.data);
        return jsonReply(201, { id: user.id, email: user.email });
      }),

      route('POST', '/__emulator/certificates', (ctx) => {
        const parsed = NewCertificateSchema.safeParse(parseJson(ctx.body));
        if (!parsed.success) return invalid(z.prettifyError(parsed.error));
        try {
          const registered = registerCertificate(target.state, parsed.data.email, parsed.data.certificate);
          return jsonReply(201, { email: registered.userEmail, fingerprint256: registered.fingerprint256 });
        } catch (error) {
          return invalid(error instanceof Error ? error.message : String(error));
        }
      }),

      // The OAuth device grant (routes/oauth.ts): what the user does on the verification page, and scripted polls.
      route('POST', '/__emulator/device/approve', (ctx) => {
        const parsed = ApproveSchema.safeParse(parseJson(ctx.body));
        if (!parsed.success) return invalid(z.prettifyError(parsed.error));
        return decisionReply(approveDevice(target, parsed.data.user_code, parsed.data.email));
      }),

      route('POST', '/__emulator/device/deny', (ctx) => {
        const parsed = DenySchema.safeParse(parseJson(ctx.body));
        if (!parsed.success) return invalid(z.prettifyError(parsed.error));
        return decisionReply(denyDevice(target, parsed.data.user_code));
      }),

      route('POST', '/__emulator/oauth/script', (ctx) => {
        const parsed = ScriptSchema.safeParse(parseJson(ctx.body));
        if (!parsed.success) return invalid(z.prettifyError(parsed.error));
        target.state.oauth.script.push(...parsed.data.responses);
        return jsonReply(201, { pendingResponses: target.state.oauth.script.length });
      }),

      route('GET', '/__emulator/oauth/polls', () => jsonReply(200, target.state.oauth.polls)),

      // Transfers (routes/files.ts, routes/tasks.ts): the same helpers as Emulator.tasks,
      // failNextTask, setExportContent and uploadedFile.
      route('GET', '/__emulator/tasks', () => jsonReply(200, target.state.transfers.tasks.map(publicTask))),

      route('POST', '/__emulator/tasks/fail', (ctx) => {
        const parsed = FailTaskSchema.safeParse(parseJson(ctx.body));
        if (!parsed.success) return invalid(z.prettifyError(parsed.error));
        try {
          scriptFailure(target.state, parsed.data.kind, parsed.data.objectId, parsed.data.message);
        } catch (error) {
          return invalid(error instanceof Error ? error.message : String(error));
        }
        return jsonReply(201, { pendingFailures: target.state.transfers.failures.length });
      }),

      route('POST', '/__emulator/exports/content', (ctx) => {
        const parsed = ExportContentSchema.safeParse(parseJson(ctx.body));
        if (!parsed.success) return invalid(z.prettifyError(parsed.error));
        try {
          setExportContent(target.state, parsed.data.modelId, parsed.data.exportId, parsed.data.content);
        } catch (error) {
          return invalid(error instanceof Error ? error.message : String(error));
        }
        return emptyReply(204);
      }),

      route('GET', '/__emulator/models/:modelId/files/:file', (ctx) => {
        const content = uploadedFile(target.state, ctx.params.modelId ?? '', ctx.params.file ?? '');
        return content ? bytesReply(200, content) : jsonReply(404, { error: 'No completed upload of that file in that model' });
      }),

      route('POST', '/__emulator/oauth/clients', (ctx) => {
        const parsed = NewOAuthClientSchema.safeParse(parseJson(ctx.body));
        if (!parsed.success) return invalid(z.prettifyError(parsed.error));
        return jsonReply(201, upsertOAuthClient(target.state, parsed.data));
      }),
    ],
  };
}

function decisionReply(decision: DeviceDecision): Reply {
  if (!decision.ok) return jsonReply(decision.status, { error: decision.message });
  const { userCode, status, userEmail, denialReason } = decision.record;
  return jsonReply(200, { user_code: userCode, status, email: userEmail, ...(denialReason ? { reason: denialReason } : {}) });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function invalid(message: string): Reply {
  return jsonReply(400, { error: message });
}
