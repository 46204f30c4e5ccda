import { useEffect, useState } from 'react';
import type { AssistantApi, MethodOutput } from '../../../main/contract';

export type JobAccountView = MethodOutput<'jobAccount'>;

/**
 * The account that runs the connection's job (asked on the Account step), as the core reads it
 * from the password database: its home is where the token store and keystore-access.txt go.
 * null until known, or when it cannot be read (the step then keeps its own defaults).
 */
export function useJobAccount(api: AssistantApi, runAs: string): JobAccountView | null {
  const [account, setAccount] = useState<JobAccountView | null>(null);
  useEffect(() => {
    let live = true;
    api.jobAccount({ name: runAs }).then(
      (view) => live && setAccount(view),
      () => live && setAccount(null),
    );
    return () => {
      live = false;
    };
  }, [api, runAs]);
  return account;
}
