#!/usr/bin/env node
// The `anaplan-setup` command: runs the built CLI (npm install builds it through `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../out/cli/index.js', import.meta.url);
if (!existsSync(fileURLToPath(built))) {
  process.stderr.write('anaplan-setup is not built yet: run `npm run build` in the project folder first.\n');
  process.exit(1);
}
await import(built.href);
