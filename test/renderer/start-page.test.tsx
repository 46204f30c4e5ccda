import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, test } from 'vitest';
import { StartPage } from '../../renderer/src/StartPage';
import type { Profile } from '../../renderer/src/types';
import { TEST_INFO, testProfile } from './fixtures';

const info = TEST_INFO;

function profile(id: string, name: string): Profile {
  return testProfile({ id, name, email: `${id}@example.com`, authMethod: 'basic', step: 'login' });
}

function Harness() {
  const [profiles, setProfiles] = useState([profile('p1', 'Prod'), profile('p2', 'Test')]);
  return <StartPage info={info} profiles={profiles} onResume={() => undefined} onNew={() => undefined} onDelete={async (id) => setProfiles((list) => list.filter((p) => p.id !== id))} />;
}

afterEach(cleanup);

describe('deleting a connection from the start page, by keyboard', () => {
  test('the confirmation takes focus on Keep; Esc cancels and gives focus back to Delete', async () => {
    render(<Harness />);
    fireEvent.click(screen.getByRole('button', { name: 'Delete Prod' }));
    const keep = screen.getByRole('button', { name: 'Keep' });
    await waitFor(() => expect(document.activeElement).toBe(keep));
    fireEvent.keyDown(keep, { key: 'Escape' });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Delete Prod' })));
    expect(screen.queryByRole('button', { name: 'Really delete Prod' })).toBeNull();
  });

  test('after the delete, focus stays on the list, not on the page', async () => {
    render(<Harness />);
    fireEvent.click(screen.getByRole('button', { name: 'Delete Prod' }));
    fireEvent.click(screen.getByRole('button', { name: 'Really delete Prod' }));
    await waitFor(() => expect(screen.queryByText('Prod')).toBeNull());
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Your connections' })));
  });
});
