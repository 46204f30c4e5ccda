import { useEffect } from 'react';

/**
 * After a submit finds errors, focus goes to the first field in error: a screen reader reads its
 * label and message, and a keyboard user starts the fix there. One step is shown at a time, so
 * the first field marked invalid on the page is this step's.
 */
export function useFocusFirstError(errors: Record<string, string>): void {
  useEffect(() => {
    if (Object.keys(errors).length === 0) return;
    document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);
}
