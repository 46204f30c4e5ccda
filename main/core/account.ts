import { userInfo } from 'node:os';

/** The account the assistant runs as ('' when the system cannot say): the owner of what it writes in a home folder. */
export function currentAccountName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? '';
  }
}
