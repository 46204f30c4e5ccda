/**
 * Reads back the settings block of an anaplan-connect.sh the export wrote: the `Name='value'`
 * lines above the "Do not edit below this line" marker, values in bash's single quotes ('\''
 * for a quote), as shQuote writes them. Nothing of the script is run.
 */

export type ShSettings = ReadonlyMap<string, string>;

const MARKER = 'Do not edit below this line';
const SETTING = /^([A-Za-z_][A-Za-z0-9_]*)=((?:'[^']*'|\\')*)$/;

export function readShSettings(script: string): ShSettings {
  const settings = new Map<string, string>();
  for (const line of script.split('\n')) {
    if (line.includes(MARKER)) break;
    const match = SETTING.exec(line);
    if (match) settings.set(match[1] ?? '', unquote(match[2] ?? ''));
  }
  return settings;
}

function unquote(quoted: string): string {
  return [...quoted.matchAll(/'([^']*)'|\\'/g)].map((part) => (part[0] === "\\'" ? "'" : (part[1] ?? ''))).join('');
}
