import { createOutput, reportError, type Output } from './output.js';

/** Wraps a command's action: output mode from --json, errors reported, exit code set. */
export type Run = (options: Record<string, unknown>, action: (out: Output) => Promise<void>) => Promise<void>;

export const run: Run = async (options, action) => {
  const json = options.json === true;
  try {
    await action(createOutput(json));
  } catch (error) {
    process.exitCode = reportError(error, json);
  }
};
