/**
 * One error type for everything a person may see. `code` is stable (scripts match on it:
 * it is the `error.code` of every `--json` answer); `message` says what happened, why, and
 * what to do next, in the user's words. Stack traces are for logs, never for people.
 */
export const ERROR_CODES = [
  'bad_input',
  'bad_credentials',
  'sso_user',
  'region_mismatch',
  'network',
  'timeout',
  'tls',
  'proxy_auth_required',
  'rate_limited',
  'server_error',
  'unexpected_response',
  'not_found',
  'file_exists',
  'io',
  'unsupported',
  'secrets_unavailable',
  'cancelled',
  'forbidden',
  // OAuth 2.0 device grant (RFC 8628 §3.5, RFC 6749 §5.2): each ends the sign-in with its own next step.
  'access_denied',
  'expired',
  'invalid_grant',
  'invalid_client',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface FieldMessage {
  field: string;
  message: string;
}

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  /** Per-field problems, shown next to each field in the UI. */
  fields?: FieldMessage[];
}

/** Turns anything thrown into what a person may see: never a stack trace. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof AppError) {
    const fields = fieldMessages(error.details?.problems);
    return fields ? { code: error.code, message: error.message, fields } : { code: error.code, message: error.message };
  }
  const text = error instanceof Error ? error.message : String(error);
  return {
    code: 'internal',
    message: `Something unexpected went wrong (${firstLine(text)}). Nothing was written. Please try again; if it happens again, report it with the steps that led here.`,
  };
}

function fieldMessages(value: unknown): FieldMessage[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const fields = value.filter(
    (item): item is FieldMessage => typeof item === 'object' && item !== null && typeof item.field === 'string' && typeof item.message === 'string',
  );
  return fields.length ? fields.map(({ field, message }) => ({ field, message })) : undefined;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
