import { CopyButton } from './CopyButton';
import { Notice } from './Notice';

/**
 * The files were written for another account, but this assistant cannot make them that
 * account's own (it does not run as root): the exact commands that do it, to paste as root.
 */
export function HandOver({ account, commands }: { account: string; commands: readonly string[] }) {
  if (commands.length === 0) return null;
  const text = commands.join('\n');
  return (
    <Notice kind="warning" title={`Hand these files to ${account}`}>
      <p>The job runs as {account}, but this assistant cannot give another account files. Run these commands as root (or with sudo) before the job runs:</p>
      <pre className="command">
        <code>{text}</code>
      </pre>
      <CopyButton text={text} label="Copy the commands" />
    </Notice>
  );
}
