import type { ExportSettings } from './generated-file.js';

/**
 * The parts of both job scripts, in order, as data: anaplan-connect.sh and anaplan-connect.bat
 * render this one list in their own dialect (script-settings.ts does the same for the settings
 * block). A dialect must render every section, so a check added to one script has its place, and
 * a compile error until it is written, in the other; a section a dialect has no need of renders
 * nothing. Sections in one group are printed without a blank line between them.
 */
export const SCRIPT_LAYOUT = [
  ['header'],
  ['settings'],
  ['operation'],
  // The "do not edit below this line" marker.
  ['marker'],
  // --check instead of the Operation.
  ['argument'],
  ['log'],
  // The Anaplan Connect folder, and its client there.
  ['folder'],
  ['java'],
  ['credentials', 'proxy', 'operationCheck', 'modelCheck'],
  // The call of AnaplanClient with every option before the Operation, its exit code, OnFailure.
  ['run'],
  // What cmd.exe reaches by goto: the .bat's labels and subroutines (the .sh has none).
  ['labels'],
] as const;

export type ScriptSection = (typeof SCRIPT_LAYOUT)[number][number];

/** One dialect: how it writes each section, and how it ends a line. */
export interface ScriptDialectRenderer {
  sections: Record<ScriptSection, (settings: ExportSettings) => string[]>;
  lineEnd: '\n' | '\r\n';
}

export function renderScript(dialect: ScriptDialectRenderer, settings: ExportSettings): string {
  const groups = SCRIPT_LAYOUT.map((group) => group.flatMap((section) => dialect.sections[section](settings))).filter((lines) => lines.length > 0);
  const lines = groups.flatMap((group, index) => (index === 0 ? group : ['', ...group]));
  return `${lines.join(dialect.lineEnd)}${dialect.lineEnd}`;
}
