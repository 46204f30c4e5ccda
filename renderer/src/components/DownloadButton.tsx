import { useState } from 'react';

/**
 * Saves a file from the assistant to the person's own machine (the browser's downloads), as the
 * browser front door on a remote server needs: certificate.pem for the Tenant Administrator,
 * the CSR for the CA, checklists to send. `content` is text or base64 bytes.
 */
export function DownloadButton({ name, label, content }: { name: string; label?: string; content: () => Promise<{ text: string } | { base64: string }> }) {
  const [problem, setProblem] = useState<string | null>(null);
  const save = async () => {
    setProblem(null);
    try {
      const got = await content();
      const blob = 'text' in got ? new Blob([got.text], { type: 'text/plain' }) : new Blob([Uint8Array.from(atob(got.base64), (c) => c.charCodeAt(0))], { type: 'application/octet-stream' });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (caught) {
      setProblem(caught instanceof Error ? caught.message : String(caught));
    }
  };
  return (
    <>
      <button type="button" onClick={save}>
        {label ?? `Download ${name}`}
      </button>
      {problem && <span role="alert"> {problem}</span>}
    </>
  );
}
