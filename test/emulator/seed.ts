/**
 * The data every emulator starts with. Exported so tests can log in and look things up
 * without repeating literals. IDs are 32 uppercase hex characters, as Anaplan writes them
 * (anaplan-facts §2).
 */

export const SEED_CUSTOMER_ID = '8A81B09D5F9A1C3E015FA3B2C4D5E601';

export const SEED_WORKSPACES = {
  financePlanning: {
    id: '8A81B08A6E9A2D0A016EA2B7F4C05E21',
    name: 'Finance Planning',
    active: true,
    sizeAllowance: 10_737_418_240,
    currentSize: 2_147_483_648,
  },
  salesOps: {
    id: '8A868CDA7B1E4F2C017B3D5E9A0C1F44',
    name: 'Sales Ops',
    active: true,
    sizeAllowance: 5_368_709_120,
    currentSize: 1_073_741_824,
  },
  /** Exists in the tenant, but no seeded user may see it. */
  executiveCompensation: {
    id: '8A81B01C7D2E3F40017D4A6B8C9E0F13',
    name: 'Executive Compensation',
    active: true,
    sizeAllowance: 1_073_741_824,
    currentSize: 104_857_600,
  },
} as const;

export const SEED_MODELS = {
  fpa: { id: '75A40874E6B64FA3AE0743278996850F', name: 'FP&A Model', workspaceId: SEED_WORKSPACES.financePlanning.id },
  workforce: { id: 'C3F9E1A2B4D6478E9A0B1C2D3E4F5A61', name: 'Workforce', workspaceId: SEED_WORKSPACES.financePlanning.id },
  pipeline: { id: '1D2C3B4A59687F0E1D2C3B4A59687F0E', name: 'Pipeline', workspaceId: SEED_WORKSPACES.salesOps.id },
  territory: { id: 'E4D5C6B7A8F90123456789ABCDEF0123', name: 'Territory & Quota', workspaceId: SEED_WORKSPACES.salesOps.id },
  executivePay: { id: '9F8E7D6C5B4A39281706F5E4D3C2B1A0', name: 'Executive Pay', workspaceId: SEED_WORKSPACES.executiveCompensation.id },
} as const;

const VISIBLE_WORKSPACE_IDS = [SEED_WORKSPACES.financePlanning.id, SEED_WORKSPACES.salesOps.id] as const;

export const SEED_USERS = {
  /** An SSO exception user with a working password: the normal integration account. */
  integration: {
    id: '8A81B09D5F9A1C3E015FA3B2C4D5E7A1',
    email: 'integration.user@example.com',
    password: 'Correct-Horse-9',
    firstName: 'Ingrid',
    lastName: 'Integration',
    sso: false,
    passwordExpired: false,
    workspaceIds: VISIBLE_WORKSPACE_IDS,
  },
  /** Signs in through SSO and is not an exception user: Basic login is refused. */
  sso: {
    id: '8A81B09D5F9A1C3E015FA3B2C4D5E7B2',
    email: 'sso.user@example.com',
    password: 'Sso-Only-Password-1',
    firstName: 'Sam',
    lastName: 'Single-Sign-On',
    sso: true,
    passwordExpired: false,
    workspaceIds: VISIBLE_WORKSPACE_IDS,
  },
  /** An exception user whose password expired (anaplan-facts §7): Basic login is refused. */
  expired: {
    id: '8A81B09D5F9A1C3E015FA3B2C4D5E7C3',
    email: 'expired.user@example.com',
    password: 'Expired-Pass-90',
    firstName: 'Eve',
    lastName: 'Expired',
    sso: false,
    passwordExpired: true,
    workspaceIds: VISIBLE_WORKSPACE_IDS,
  },
} as const;

/**
 * The integration objects every seeded model holds. Anaplan numbers them per model by type
 * (112… imports, 113… files, 116… exports, 117… actions, 118… processes), so the same IDs
 * recur in every model.
 */
export const SEED_MODEL_OBJECTS = {
  imports: [
    { id: '112000000001', name: 'Employees from employees.csv', importDataSourceId: '113000000001', importType: 'HIERARCHY_DATA' },
    { id: '112000000002', name: 'Actuals from gl_actuals.csv', importDataSourceId: '113000000002', importType: 'MODULE_DATA' },
  ],
  exports: [
    { id: '116000000001', name: 'Headcount Report.csv', exportType: 'GRID_CURRENT_PAGE', exportFormat: 'text/csv' },
    { id: '116000000002', name: 'Plan vs Actual.xlsx', exportType: 'TABULAR_MULTI_COLUMN', exportFormat: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  ],
  /** Nightly Load runs both imports, then the delete action. */
  processes: [{ id: '118000000001', name: 'Nightly Load', actionIds: ['112000000001', '112000000002', '117000000001'] }],
  actions: [{ id: '117000000001', name: 'Delete Leavers', actionType: 'DELETE_BY_SELECTION' }],
  files: [
    { id: '113000000001', name: 'employees.csv', chunkCount: 0, delimiter: '"', encoding: 'UTF-8', firstDataRow: 2, format: 'txt', headerRow: 1, separator: ',' },
    { id: '113000000002', name: 'gl_actuals.csv', chunkCount: 0, delimiter: '"', encoding: 'UTF-8', firstDataRow: 2, format: 'txt', headerRow: 1, separator: ',' },
  ],
} as const;

/** Everything the emulator is seeded with, in one place for tests to import. */
export const SEED = {
  customerId: SEED_CUSTOMER_ID,
  users: SEED_USERS,
  workspaces: SEED_WORKSPACES,
  models: SEED_MODELS,
  modelObjects: SEED_MODEL_OBJECTS,
} as const;
