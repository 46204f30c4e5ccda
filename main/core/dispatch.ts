import { contract, isMethodName, type CallOutcome, type MethodName, type MethodOutput } from '../contract.js';
import { AppError, toErrorPayload } from '../errors.js';
import type { Handlers } from './assistant.js';

/**
 * The one way a front door calls the core: the method name is checked against the contract,
 * the payload parsed with its schema, and every failure becomes a person-readable error.
 */
export async function dispatch(handlers: Handlers, name: string, payload: unknown): Promise<CallOutcome<unknown>> {
  try {
    if (!isMethodName(name)) throw new AppError('bad_input', `Unknown request "${name.slice(0, 60)}".`);
    return { ok: true, value: await call(handlers, name, payload) };
  } catch (error) {
    return { ok: false, error: toErrorPayload(error) };
  }
}

async function call<M extends MethodName>(handlers: Handlers, name: M, payload: unknown): Promise<MethodOutput<M>> {
  const parsed = contract[name].input.safeParse(payload ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
    // Each problem also names its field (the last path segment), for a message next to it.
    const problems = parsed.error.issues.map((i) => ({ field: String(i.path.at(-1) ?? ''), message: i.message }));
    throw new AppError('bad_input', `${issue?.message ?? 'Invalid request'}${where}.`, { problems });
  }
  const handler = handlers[name] as (input: unknown) => Promise<MethodOutput<M>>;
  return handler(parsed.data);
}
