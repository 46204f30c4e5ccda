import type { Command } from 'commander';
import * as z from 'zod';
import { adminChecklist, adminChecklistMarkdown } from '../../core/admin-checklist.js';
import { addJsonOption, parseFlags } from '../options.js';
import type { Run } from '../run.js';

const ChecklistFlags = z.object({
  method: z.enum(['basic', 'certificate', 'oauth'], { error: 'must be basic, certificate or oauth' }),
});

export function registerAdminChecklist(program: Command, run: Run): void {
  addJsonOption(
    program
      .command('admin-checklist')
      .description('what to ask your Anaplan administrator for, per sign-in method (Markdown on stdout)')
      .requiredOption('--method <method>', 'basic, certificate or oauth')
      .addHelpText('after', '\nExample:\n  anaplan-setup admin-checklist --method oauth > ask-the-anaplan-admin.md'),
  ).action((options: Record<string, unknown>) =>
    run(options, async (out) => {
      const { method } = parseFlags(ChecklistFlags, options);
      out.result({ method, ...adminChecklist(method), markdown: adminChecklistMarkdown(method) }, () => adminChecklistMarkdown(method).trimEnd());
    }),
  );
}
