import { AppError, toErrorPayload } from '../errors.js';

/** `--json`: one JSON object on stdout; errors as {"error":{"code","message"}} and a non-zero exit. */
export interface Output {
  json: boolean;
  result(value: unknown, human: () => string): void;
  info(line: string): void;
}

/**
 * Text for a terminal: C0 controls but tab and newline, DEL, C1 controls and the bidirectional
 * overrides removed. Workspace and model names, user codes, server messages and errors all pass
 * here, so a server cannot set the window title (OSC 0), clear the screen, write the clipboard
 * (OSC 52) or reorder what is shown. JSON output escapes them already.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
}

/**
 * One JSON line for stdout. JSON.stringify escapes C0 controls only: DEL, C1 controls and the
 * bidirectional overrides are escaped here too (the same value, as \uXXXX), so that a `--json`
 * answer read on a terminal is as inert as human output.
 */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? jsonLine(value) : `${terminalSafe(human())}\n`);
    },
    info(line) {
      if (!json) process.stderr.write(`${terminalSafe(line)}\n`);
    },
  };
}

export function exitCodeFor(error: unknown): number {
  return error instanceof AppError && error.code === 'bad_input' ? 2 : 1;
}

export function reportError(error: unknown, json: boolean): number {
  const payload = toErrorPayload(error);
  if (json) process.stdout.write(jsonLine({ error: payload }));
  else process.stderr.write(`Error (${payload.code}): ${terminalSafe(payload.message)}\n`);
  return exitCodeFor(error);
}
