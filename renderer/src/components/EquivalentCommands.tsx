import type { MethodOutput } from '../../../main/contract';

type Command = MethodOutput<'previewExport'>['equivalentCommands'][number];

/** What the assistant does, as openssl, keytool and Anaplan Connect commands a person could run by hand. */
export function EquivalentCommands({ commands }: { commands: readonly Command[] }) {
  if (commands.length === 0) return null;
  return (
    <details className="equivalent-commands">
      <summary>Equivalent commands (openssl, keytool, Anaplan Connect)</summary>
      <p className="hint">Secrets appear as $VARIABLES: set them first. Nothing here is needed: the assistant did it already.</p>
      {commands.map((c, index) => (
        <div key={`${c.tool}-${index}`}>
          <h4>
            {c.tool}: {c.title}
          </h4>
          <pre tabIndex={0}>{c.command}</pre>
        </div>
      ))}
    </details>
  );
}
