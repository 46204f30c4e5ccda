import type { AppInfo, Profile } from '../../renderer/src/types';

export const TEST_INFO: AppInfo = { name: 'A', version: '0', frontDoor: 'desktop', platform: 'linux', canChooseFolder: true, secrets: { available: true, backend: 'x', reason: null }, settingsPath: '/x', homeDir: '/home/a', userName: 'a' };

/** A connection as the renderer receives it, at the method step with nothing chosen yet; tests override what they need. */
export function testProfile(overrides: Partial<Profile> = {}): Profile {
  return {
    id: 'p1',
    name: 'Prod',
    email: 'a@example.com',
    createdAt: '',
    updatedAt: '',
    endpoints: { region: 'eu3' },
    network: {},
    authMethod: null,
    step: 'method',
    workspace: null,
    model: null,
    exportOptions: { dir: '', platforms: ['linux'], passwordSource: 'env', passwordEnvVar: 'ANAPLAN_PASSWORD' },
    basicPasswordCheckedAt: null,
    lastLogin: null,
    certificateRequests: [],
    certificate: null,
    oauth: null,
    runAs: '',
    hasStoredPassword: false,
    ...overrides,
  };
}
