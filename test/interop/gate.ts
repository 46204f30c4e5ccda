import { interopSkipReason } from './client.js';

/** Says once per run, in one line, whether the interop suite runs and against which Anaplan Connect. */
export default function gate(): void {
  const reason = interopSkipReason();
  if (reason) console.log(`interop: skipped: ${reason}`);
  else console.log(`interop: running the exported jobs with the real Anaplan Connect in ${process.env.ANAPLAN_CONNECT_DIR}`);
}
