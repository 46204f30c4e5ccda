import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { ExpiryList, type Expiry } from '../../renderer/src/components/ExpiryList';
import { StartPage } from '../../renderer/src/StartPage';
import type { AppInfo, Profile } from '../../renderer/src/types';

afterEach(cleanup);

const DAY = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

const info: AppInfo = { name: 'A', version: '0', frontDoor: 'desktop', platform: 'linux', canChooseFolder: true, secrets: { available: true, backend: 'x', reason: null }, settingsPath: '/x', homeDir: '/home/a', userName: 'a' };

const base: Profile = {
  id: 'p1',
  name: 'Prod',
  email: 'ada@example.com',
  createdAt: '',
  updatedAt: '',
  endpoints: { region: 'eu3' },
  network: {},
  authMethod: 'certificate',
  step: 'done',
  workspace: null,
  model: null,
  exportOptions: { dir: '', platforms: ['linux'], passwordSource: 'env', passwordEnvVar: 'ANAPLAN_PASSWORD' },
  basicPasswordCheckedAt: null,
  lastLogin: null,
  certificateRequests: [],
  runAs: '',
  certificate: {
    importedAt: '',
    alias: 'anaplan-connect',
    certificatePath: '/c/certificate.pem',
    chainPath: null,
    keystorePath: '/c/keystore.p12',
    privateKeyPath: null,
    keyEncrypted: true,
    subject: 'CN=Ada Lovelace, emailAddress=ada@example.com',
    email: 'ada@example.com',
    issuer: 'CN=CA',
    fingerprint: 'AA',
    notBefore: '',
    notAfter: inDays(10),
    requestId: null,
  },
  oauth: null,
  hasStoredPassword: false,
};

const expiry = (fields: Partial<Expiry>): Expiry => ({
  profileId: 'p1',
  profileName: 'Prod',
  kind: 'certificate',
  expiresAt: inDays(10),
  daysLeft: 10,
  level: 'warn',
  threshold: 14,
  message: 'Renew it.',
  ...fields,
});

describe('ExpiryList', () => {
  test('lists in the order given (soonest first) with the level in words, not colour alone', () => {
    render(
      <ExpiryList
        expiries={[
          expiry({ level: 'expired', daysLeft: -2, threshold: null, profileName: 'Old', message: 'It expired. Renew it.' }),
          expiry({ kind: 'refresh-token', daysLeft: 5, threshold: 7, profileName: 'OAuth', message: 'Sign in again.' }),
          expiry({ kind: 'password', level: 'ok', daysLeft: 60, threshold: null, profileName: 'Basic', message: 'This is an estimate.' }),
          expiry({ kind: 'password', level: 'ok', expiresAt: null, daysLeft: null, threshold: null, profileName: 'New', message: 'Test the login once.' }),
        ]}
      />,
    );
    const list = screen.getByRole('list', { name: 'What expires, soonest first' });
    const items = within(list).getAllByRole('listitem').map((li) => li.textContent ?? '');
    expect(items).toHaveLength(4);
    expect(items[0]).toMatch(/^Expired · Certificate of Old/);
    expect(items[0]).toContain('It expired. Renew it.');
    expect(items[1]).toMatch(/^Warning: expires in 5 days \(7-day step\) · OAuth refresh token of OAuth/);
    expect(items[2]).toMatch(/^OK: expires in 60 days · Password \(estimate\) of Basic/);
    expect(items[3]).toMatch(/^Date unknown · Password \(estimate\) of New/);
    expect(screen.getByText(/2 items need attention/)).toBeTruthy();
  });

  test('nothing to list: nothing shown', () => {
    const { container } = render(<ExpiryList expiries={[]} />);
    expect(container.textContent).toBe('');
  });
});

describe('StartPage', () => {
  const noop = async () => undefined;

  test('shows what expires above the connections, from the core when it is given', async () => {
    const getExpiries = vi.fn(async () => ({ expiries: [expiry({ message: 'From the core: renew it.' })] }));
    render(<StartPage info={info} profiles={[base]} onResume={() => undefined} onNew={() => undefined} onDelete={noop} api={{ getExpiries }} />);
    await waitFor(() => expect(screen.getByText('From the core: renew it.')).toBeTruthy());
    const headings = screen.getAllByRole('heading', { level: 3 }).map((h) => h.textContent);
    expect(headings).toEqual(['What expires', 'Your connections']);
    expect(getExpiries).toHaveBeenCalledWith({});
  });

  test('without the core method, the same rules run on the profiles shown', () => {
    render(<StartPage info={info} profiles={[base]} onResume={() => undefined} onNew={() => undefined} onDelete={noop} />);
    const item = within(screen.getByRole('list', { name: 'What expires, soonest first' })).getByRole('listitem');
    expect(item.textContent).toMatch(/^Warning: expires in 10 days \(14-day step\) · Certificate of Prod/);
    expect(item.textContent).toContain('Make a new request');
  });

  test('no connections with anything that expires: no list', () => {
    render(<StartPage info={info} profiles={[{ ...base, authMethod: null, certificate: null }]} onResume={() => undefined} onNew={() => undefined} onDelete={noop} />);
    expect(screen.queryByRole('heading', { name: 'What expires' })).toBeNull();
  });
});
