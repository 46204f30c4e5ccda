import { z } from 'zod';
import { faultFromJson, FaultJsonSchema, type FaultQueue } from '../faults.js';
import { emptyReply, jsonReply, type Reply } from '../reply.js';
import { route, type RouteModule } from '../router.js';
import { upsertUser, type EmulatorState } from '../state.js';
import type { RequestLogEntry } from '../request-log.js';
import { registerCertificate } from './certificate-login.js';

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
    ],
  };
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
