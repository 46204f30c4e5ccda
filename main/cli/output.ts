import { AppError, toErrorPayload } from '../core/errors.js';

/** `--json`: one JSON object on stdout; errors as {"error":{"code","message"}} and a non-zero exit. */
export interface Output {
  json: boolean;
  result(value: unknown, human: () => string): void;
  info(line: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
    },
    info(line) {
      if (!json) process.stderr.write(`${line}\n`);
    },
  };
}

export function exitCodeFor(error: unknown): number {
  return error instanceof AppError && error.code === 'bad_input' ? 2 : 1;
}

export function reportError(error: unknown, json: boolean): number {
  const payload = toErrorPayload(error);
  if (json) process.stdout.write(`${JSON.stringify({ error: payload })}\n`);
  else process.stderr.write(`Error (${payload.code}): ${payload.message}\n`);
  return exitCodeFor(error);
}
