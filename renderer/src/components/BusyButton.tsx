import type { ComponentProps, MouseEvent } from 'react';

/**
 * A button that stays focusable while the work it started runs. A disabled button drops keyboard
 * focus to <body>, so a keyboard user starts over from the top; this one says it is unavailable
 * (aria-disabled) and ignores presses, including a form's submit, until the work is done.
 */
export function BusyButton({ busy, onClick, ...button }: { busy: boolean } & ComponentProps<'button'>) {
  const press = (event: MouseEvent<HTMLButtonElement>) => {
    if (busy) event.preventDefault();
    else onClick?.(event);
  };
  return <button {...button} aria-disabled={busy || undefined} onClick={press} />;
}
