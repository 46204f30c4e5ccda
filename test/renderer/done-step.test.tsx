import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
import type { AssistantApi } from '../../main/contract';
import { DoneStep } from '../../renderer/src/steps/DoneStep';
import type { ExportWritten, Profile } from '../../renderer/src/types';

afterEach(cleanup);

const profile = {
  id: 'p1',
  name: 'Prod',
  email: 'ada@example.com',
  authMethod: 'basic',
  step: 'done',
  exportOptions: { dir: '/job', platforms: ['linux'], passwordSource: 'env', passwordEnvVar: 'ANAPLAN_PASSWORD' },
} as Profile;

test('the Done step shows what the write itself warns about, such as a secret-bearing script not kept as a backup', () => {
  const message = 'The previous anaplan-connect.sh held the password in plain text; it was replaced and not kept as a backup.';
  const written: ExportWritten = { files: [{ path: '/job/anaplan-connect.sh', status: 'replaced' }], warnings: [message], equivalentCommands: [], nextSteps: [], runAs: 'a', handOverCommands: [] };
  render(<DoneStep api={{} as AssistantApi} profile={profile} written={written} onHome={() => undefined} />);
  expect(screen.getByText(message).closest('[role="status"]')).not.toBeNull();
});

test('"Check the job now" shows each check of the job folder the profile exported to, failed ones first named as such', async () => {
  const asked: unknown[] = [];
  const api = {
    checkJob: async (input: unknown) => {
      asked.push(input);
      return {
        dir: '/job',
        ok: false,
        checks: [
          { name: 'script', ok: true, message: '/job/anaplan-connect.sh is executable.' },
          { name: 'sign-in', ok: false, message: 'CHECK FAILED: Anaplan refused the user and password.' },
        ],
        workspaces: [],
      };
    },
  } as unknown as AssistantApi;
  const written: ExportWritten = { files: [{ path: '/job/anaplan-connect.sh', status: 'created' }], warnings: [], equivalentCommands: [], nextSteps: [], runAs: 'a', handOverCommands: [] };
  render(<DoneStep api={api} profile={profile} written={written} onHome={() => undefined} />);
  fireEvent.click(screen.getByRole('button', { name: 'Check the job now' }));
  expect(await screen.findByText('Some checks failed')).toBeTruthy();
  expect(asked).toEqual([{ profileId: 'p1' }]);
  const items = screen.getByRole('list', { name: 'Job checks' }).querySelectorAll('li');
  expect([...items].map((item) => item.textContent)).toEqual(['OK script: /job/anaplan-connect.sh is executable.', 'Failed sign-in: CHECK FAILED: Anaplan refused the user and password.']);
});

test('before tonight\'s run: the steps of this export, each with its command; nothing about passwords unless the export said so', () => {
  const written: ExportWritten = {
    files: [{ path: '/job/anaplan-connect.sh', status: 'created' }],
    warnings: [],
    equivalentCommands: [],
    nextSteps: [{ text: 'Check the job as it will run.', command: "sudo -u svc -H '/job/anaplan-connect.sh' --check" }],
    runAs: 'svc',
    handOverCommands: [],
  };
  render(<DoneStep api={{} as AssistantApi} profile={{ ...profile, authMethod: 'oauth' } as Profile} written={written} onHome={() => undefined} />);
  const list = screen.getByRole('list', { name: "Before tonight's run" });
  expect(list.textContent).toContain("sudo -u svc -H '/job/anaplan-connect.sh' --check");
  expect(document.body.textContent).not.toMatch(/ANAPLAN_PASSWORD|fill in Operation/i);
});

test('no job check is offered when no Linux script was written (a Windows job is checked on Windows)', () => {
  const written: ExportWritten = { files: [{ path: '/job/anaplan-connect.bat', status: 'created' }], warnings: [], equivalentCommands: [], nextSteps: [], runAs: 'a', handOverCommands: [] };
  render(<DoneStep api={{} as AssistantApi} profile={profile} written={written} onHome={() => undefined} />);
  expect(screen.queryByRole('button', { name: 'Check the job now' })).toBeNull();
});
