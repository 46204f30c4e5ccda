import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, expect, test } from 'vitest';
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
  const written: ExportWritten = { files: [{ path: '/job/anaplan-connect.sh', status: 'replaced' }], warnings: [message], equivalentCommands: [] };
  render(<DoneStep profile={profile} written={written} onHome={() => undefined} />);
  expect(screen.getByText(message).closest('[role="status"]')).not.toBeNull();
});
