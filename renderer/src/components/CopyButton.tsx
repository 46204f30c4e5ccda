import { DownloadButton } from './DownloadButton';
import { useState } from 'react';

/** Copies text and says honestly whether it worked: clipboards fail (permissions, no focus, remote sessions). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [result, setResult] = useState<'copied' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setResult('copied');
    } catch {
      setResult('failed');
    }
  };
  return (
    <span className="copy">
      <button type="button" onClick={copy}>
        {label}
      </button>
      <span role="status" className={result === 'failed' ? 'field-error' : 'hint'}>
        {result === 'copied' && ' Copied.'}
        {result === 'failed' && ' Copying failed here: select the text and copy it yourself (Ctrl+C).'}
      </span>
    </span>
  );
}

/** Offers text as a file download from the page itself (works in the browser UI and the desktop app). */
export function DownloadLink({ text, fileName, label }: { text: string; fileName: string; label: string }) {
  return <DownloadButton name={fileName} label={label} content={async () => ({ text })} />;
}
