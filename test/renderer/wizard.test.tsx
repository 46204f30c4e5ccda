import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { AssistantApi } from '../../main/contract';
import { App } from '../../renderer/src/App';
import { Stepper } from '../../renderer/src/components/Stepper';
import { AccountStep } from '../../renderer/src/steps/AccountStep';
import { MethodStep } from '../../renderer/src/steps/MethodStep';
import type { StepProps } from '../../renderer/src/steps/props';
import { stepsFor, type Profile, type Region } from '../../renderer/src/types';
import { ApiError } from '../../renderer/src/api';
import { TEST_INFO, testProfile } from './fixtures';

afterEach(cleanup);

const regions: Region[] = [
  { id: 'us1', name: 'United States 1 (us1)', apiUrl: 'https://api.anaplan.com', authUrl: 'https://auth.anaplan.com', oauthUrl: 'https://us1a.app.anaplan.com' },
  { id: 'eu3', name: 'Europe 3 (eu3)', apiUrl: 'https://eu3.api.anaplan.com', authUrl: 'https://eu3.auth.anaplan.com', oauthUrl: 'https://eu3.app.anaplan.com' },
];

const profile: Profile = testProfile();

describe('Stepper', () => {
  test('an ordered list with aria-current="step" on the current step; only reached steps are buttons', () => {
    const onGo = vi.fn();
    render(<Stepper steps={stepsFor('basic')} current="login" furthest="target" onGo={onGo} />);
    const nav = screen.getByRole('navigation', { name: 'Setup steps' });
    expect(nav.querySelector('ol')?.children).toHaveLength(7);
    const current = nav.querySelector('[aria-current="step"]');
    expect(current?.textContent).toContain('Test login');
    expect(nav.querySelectorAll('[aria-current]')).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: /Workspace and model/ }));
    expect(onGo).toHaveBeenCalledWith('target');
    expect(screen.queryByRole('button', { name: /Export/ })).toBeNull();
  });
});

test('the certificate path has its own steps: key and request, then import', () => {
  render(<Stepper steps={stepsFor('certificate')} current="credentials" furthest="credentials" onGo={() => undefined} />);
  const items = [...document.querySelectorAll('nav ol > li')].map((li) => li.textContent);
  expect(items).toHaveLength(8);
  expect(items[2]).toContain('Key and request (CSR)');
  expect(items[3]).toContain('Import certificate');
});

describe('AccountStep', () => {
  test('errors appear next to their fields and nothing is saved', () => {
    const onSave = vi.fn();
    render(<AccountStep profile={null} info={TEST_INFO} regions={regions} onSave={onSave} />);
    fireEvent.change(screen.getByLabelText('Anaplan user (email)'), { target: { value: 'not-an-email' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    const email = screen.getByLabelText('Anaplan user (email)');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    const described = email.getAttribute('aria-describedby') ?? '';
    expect(described.split(' ').map((id) => document.getElementById(id)?.textContent).join(' ')).toMatch(/Enter the Anaplan user/);
    expect(screen.getByText(/Give this connection a name/)).toBeTruthy();
    expect(onSave).not.toHaveBeenCalled();
  });

  test('a valid form saves name, email and the chosen region, then moves to the method step', async () => {
    const onSave = vi.fn(async () => undefined);
    render(<AccountStep profile={null} info={TEST_INFO} regions={regions} onSave={onSave} />);
    fireEvent.change(screen.getByLabelText('Connection name'), { target: { value: 'Prod' } });
    fireEvent.change(screen.getByLabelText('Anaplan user (email)'), { target: { value: 'a@example.com' } });
    fireEvent.change(screen.getByLabelText('Region'), { target: { value: 'eu3' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(onSave).toHaveBeenCalledWith(expect.objectContaining({ name: 'Prod', email: 'a@example.com', endpoints: { region: 'eu3' }, runAs: '', step: 'method' })));
  });

  test('the account that runs the job: yours by default, another saved by name, an unknown one shown next to its field', async () => {
    const problem = 'There is no account "svc-nobody" on this machine (getent passwd svc-nobody found nothing).';
    const onSave = vi.fn(async (draft: { runAs?: string }) => {
      if (draft.runAs === 'svc-nobody') throw new ApiError('bad_input', problem, [{ field: 'runAs', message: problem }]);
    });
    render(<AccountStep profile={null} info={TEST_INFO} regions={regions} onSave={onSave} />);
    const runAs = screen.getByLabelText('Account that runs the job') as HTMLInputElement;
    expect(runAs.value).toBe(TEST_INFO.userName);
    fireEvent.change(screen.getByLabelText('Connection name'), { target: { value: 'Prod' } });
    fireEvent.change(screen.getByLabelText('Anaplan user (email)'), { target: { value: 'a@example.com' } });
    fireEvent.change(runAs, { target: { value: 'svc-nobody' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(runAs.getAttribute('aria-invalid')).toBe('true'));
    expect(document.activeElement).toBe(runAs);
    expect(screen.queryByRole('alert', { name: problem })).toBeNull();
    fireEvent.change(runAs, { target: { value: 'svc-anaplan' } });
    fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    await waitFor(() => expect(onSave).toHaveBeenLastCalledWith(expect.objectContaining({ runAs: 'svc-anaplan' })));
  });

  test('on Windows the field is not offered: the job runs as the account that runs the assistant', () => {
    render(<AccountStep profile={null} info={{ ...TEST_INFO, platform: 'win32' }} regions={regions} onSave={vi.fn()} />);
    expect(screen.queryByLabelText('Account that runs the job')).toBeNull();
  });
});

describe('MethodStep', () => {
  test('explains each method honestly and continues with the chosen one', () => {
    const advance = vi.fn(async () => undefined);
    const props = { profile, advance } as unknown as StepProps;
    render(<MethodStep {...props} />);
    expect(screen.getByText(/SSO exception user with an Anaplan password/)).toBeTruthy();
    expect(screen.getByText(/expire \(every 90 days/)).toBeTruthy();
    expect(screen.getByText(/Disabled for SSO users/)).toBeTruthy();
    expect(screen.getByText(/a TLS server certificate will not do/)).toBeTruthy();
    fireEvent.click(screen.getByRole('radio', { name: /OAuth 2.0 device grant/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect(advance).toHaveBeenLastCalledWith('credentials', { authMethod: 'oauth' });
    fireEvent.click(screen.getByRole('radio', { name: /Basic/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect(advance).toHaveBeenLastCalledWith('credentials', { authMethod: 'basic' });
  });
});

describe('App', () => {
  function fakeApi(overrides: Partial<AssistantApi> = {}): AssistantApi {
    const settings = { theme: 'system' as const, activeProfileId: null, profiles: [profile] };
    return {
      appInfo: async () => ({ name: 'A', version: '0', frontDoor: 'browser', platform: 'linux', canChooseFolder: false, secrets: { available: false, backend: 'none', reason: 'No keychain here.' }, settingsPath: '/x', homeDir: '/home/a', userName: 'a' }),
      listRegions: async () => ({ regions }),
      getSettings: async () => settings,
      selectProfile: async ({ id }) => ({ ...settings, activeProfileId: id }),
      on: () => () => undefined,
      ...overrides,
    } as AssistantApi;
  }

  test('the start page lists saved connections, says honestly that secrets are not kept, and resumes at the saved step', async () => {
    render(<App api={fakeApi()} />);
    await screen.findByRole('heading', { name: 'Welcome' });
    expect(screen.getByText('No keychain here.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Resume Prod' }));
    await screen.findByRole('heading', { name: 'Sign-in method' });
  });

  test('a core error while loading is shown as an alert', async () => {
    render(<App api={fakeApi({ getSettings: async () => Promise.reject(new Error('settings damaged')) })} />);
    expect((await screen.findByRole('alert')).textContent).toContain('settings damaged');
  });
});
