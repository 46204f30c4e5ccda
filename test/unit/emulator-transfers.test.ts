import { gzipSync } from 'node:zlib';
import {
  DOWNLOAD_CHUNK_BYTES,
  SEED,
  defaultExportContent,
  startEmulator,
  type Emulator,
  type EmulatorOptions,
  type TaskKind,
} from '../emulator/server.js';

// The emulator's file transfers and tasks over real HTTP: what Anaplan Connect's -put, -import,
// -export/-get, -process and -action call (AnaplanAPIFeign), in Anaplan's documented shapes.

const { integration } = SEED.users;
const { financePlanning, salesOps, executiveCompensation } = SEED.workspaces;
const { fpa } = SEED.models;
const MODEL = `/2/0/workspaces/${financePlanning.id}/models/${fpa.id}`;
const GL_FILE = '113000000002';
const GL_IMPORT = '112000000002';
const EMPLOYEES_IMPORT = '112000000001';
const HEADCOUNT_EXPORT = '116000000001';
const NIGHTLY_PROCESS = '118000000001';
const DELETE_ACTION = '117000000001';
const HEX_ID = /^[0-9A-F]{32}$/;

interface JsonResponse {
  status: number;
  headers: Headers;
  // Tests read into answers freely; a wrong shape fails the expectation that reads it.
  body: Record<string, unknown>;
}

function basic(email: string, password: string): string {
  return `Basic ${Buffer.from(`${email}:${password}`, 'utf8').toString('base64')}`;
}

let emu: Emulator;
let token: string;
let started: Emulator[] = [];

async function start(options?: EmulatorOptions): Promise<Emulator> {
  const emulator = await startEmulator(options);
  started.push(emulator);
  return emulator;
}

async function login(emulator: Emulator): Promise<string> {
  const response = await fetch(`${emulator.url}/token/authenticate`, { method: 'POST', headers: { authorization: basic(integration.email, integration.password) } });
  expect(response.status).toBe(201);
  return ((await response.json()) as { tokenInfo: { tokenValue: string } }).tokenInfo.tokenValue;
}

async function call(path: string, init: RequestInit = {}, emulator: Emulator = emu, auth: string | null = token): Promise<JsonResponse> {
  const headers = new Headers(init.headers);
  if (auth !== null) headers.set('authorization', `AnaplanAuthToken ${auth}`);
  const response = await fetch(`${emulator.url}${path}`, { ...init, headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function postJson(path: string, value: unknown, emulator: Emulator = emu): Promise<JsonResponse> {
  return call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) }, emulator);
}

async function putChunk(fileId: string, chunkId: string, bytes: Buffer, headers: Record<string, string> = { 'content-type': 'application/octet-stream' }): Promise<number> {
  const response = await fetch(`${emu.url}${MODEL}/files/${fileId}/chunks/${chunkId}`, {
    method: 'PUT',
    headers: { authorization: `AnaplanAuthToken ${token}`, ...headers },
    body: new Uint8Array(bytes),
  });
  await response.arrayBuffer();
  return response.status;
}

async function download(path: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const response = await fetch(`${emu.url}${path}`, { headers: { authorization: `AnaplanAuthToken ${token}` } });
  return { status: response.status, type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
}

/** Every chunk of a file (or dump), fetched as Anaplan Connect's ServerFile.downLoad does. */
async function downloadAll(chunksPath: string): Promise<Buffer> {
  const list = await call(chunksPath);
  expect(list.status).toBe(200);
  const parts: Buffer[] = [];
  for (const chunk of list.body.chunks as { id: string }[]) {
    const part = await download(`${chunksPath}/${chunk.id}`);
    expect(part.status).toBe(200);
    expect(part.type).toBe('application/octet-stream');
    parts.push(part.bytes);
  }
  return Buffer.concat(parts);
}

async function startTask(kind: TaskKind, objectId: string): Promise<string> {
  const answer = await postJson(`${MODEL}/${kind}/${objectId}/tasks`, { localeName: 'en_US' });
  expect(answer.status).toBe(200);
  const task = answer.body.task as { taskId: string };
  return task.taskId;
}

/** Polls until COMPLETE, as the client's Task.runTask does; returns the last `task`. */
async function runTask(kind: TaskKind, objectId: string): Promise<Record<string, unknown>> {
  const taskId = await startTask(kind, objectId);
  for (let poll = 0; poll < 5; poll++) {
    const answer = await call(`${MODEL}/${kind}/${objectId}/tasks/${taskId}`);
    expect(answer.status).toBe(200);
    const task = answer.body.task as Record<string, unknown>;
    if (task.taskState === 'COMPLETE') return task;
  }
  throw new Error('task did not complete');
}

beforeEach(async () => {
  emu = await start();
  token = await login(emu);
});

afterEach(async () => {
  await Promise.all(started.map((emulator) => emulator.close()));
  started = [];
});

describe('paged lists', () => {
  test('offset and limit pick a page; paging says where it is and links the next one', async () => {
    const first = await call('/2/0/workspaces?tenantDetails=true&offset=0&limit=1');
    expect(first.status).toBe(200);
    expect(first.body.meta).toEqual({
      paging: { currentPageSize: 1, offset: 0, totalSize: 2, next: expect.stringContaining('offset=1') },
      schema: `${emu.url}/2/0/objects/workspace`,
    });
    expect(first.body.workspaces).toEqual([{ ...financePlanning }]);

    const second = await call('/2/0/workspaces?tenantDetails=true&offset=1&limit=1');
    expect((second.body.meta as { paging: unknown }).paging).toEqual({ currentPageSize: 1, offset: 1, totalSize: 2 });
    expect(second.body.workspaces).toEqual([{ ...salesOps }]);

    const beyond = await call('/2/0/workspaces?offset=5');
    expect((beyond.body.meta as { paging: unknown }).paging).toEqual({ currentPageSize: 0, offset: 5, totalSize: 2 });
    expect(beyond.body.workspaces).toEqual([]);

    expect((await call('/2/0/workspaces?offset=-1')).status).toBe(400);
    expect((await call('/2/0/workspaces?limit=0')).status).toBe(400);
  });

  test('Anaplan Connect pages with offset alone when the page size is small', async () => {
    const emulator = await start({ pageSize: 1 });
    const emulatorToken = await login(emulator);
    const names: string[] = [];
    for (let offset = 0; ; ) {
      const page = await call(`${MODEL}/imports?offset=${offset}`, {}, emulator, emulatorToken);
      const paging = (page.body.meta as { paging: { currentPageSize: number; offset: number; totalSize: number } }).paging;
      names.push(...(page.body.imports as { name: string }[]).map((entry) => entry.name));
      offset = paging.offset + paging.currentPageSize;
      if (offset >= paging.totalSize) break;
    }
    expect(names).toEqual(['Employees from employees.csv', 'Actuals from gl_actuals.csv']);
  });

  test('boolean flags are read without case: tenantDetails=True, modelDetails=TRUE', async () => {
    const workspaces = (await call('/2/0/workspaces?tenantDetails=True&offset=0')).body.workspaces as Record<string, unknown>[];
    expect(workspaces[0]).toMatchObject({ sizeAllowance: financePlanning.sizeAllowance, currentSize: financePlanning.currentSize });
    const models = (await call(`/2/0/workspaces/${financePlanning.id}/models?modelDetails=TRUE`)).body.models as Record<string, unknown>[];
    expect(models[0]).toHaveProperty('memoryUsage');
    const plain = (await call('/2/0/workspaces?tenantDetails=false')).body.workspaces as Record<string, unknown>[];
    expect(plain[0]).not.toHaveProperty('sizeAllowance');
  });

  test('GET /models lists every visible model with its workspace; /models/{id} and /workspaces/{id} answer one', async () => {
    const models = await call('/2/0/models?modelDetails=True&offset=0');
    expect(models.status).toBe(200);
    const listed = models.body.models as { id: string; currentWorkspaceId: string; memoryUsage: number }[];
    expect(listed.map((model) => model.id)).toEqual([fpa.id, SEED.models.workforce.id, SEED.models.pipeline.id, SEED.models.territory.id]);
    expect(listed[0]).toMatchObject({ currentWorkspaceId: financePlanning.id, memoryUsage: expect.any(Number) });

    const one = await call(`/2/0/models/${fpa.id}?modelDetails=True`);
    expect(one.body).toMatchObject({ status: { code: 200, message: 'Success' }, model: { id: fpa.id, name: fpa.name, currentWorkspaceId: financePlanning.id } });
    expect((await call(`/2/0/models/${SEED.models.executivePay.id}`)).status).toBe(404);

    const workspace = await call(`/2/0/workspaces/${financePlanning.id}?tenantDetails=True`);
    expect(workspace.body.workspace).toEqual({ ...financePlanning });
    expect((await call(`/2/0/workspaces/${executiveCompensation.id}?tenantDetails=True`)).status).toBe(404);
  });

  test('the process list is id and name only', async () => {
    expect((await call(`${MODEL}/processes`)).body.processes).toEqual([{ id: NIGHTLY_PROCESS, name: 'Nightly Load' }]);
  });
});

describe('file uploads', () => {
  test('a declared chunk count: the chunk list has that many, and the last chunk completes the upload', async () => {
    const parts = [Buffer.from('Account,Period,Amount\n4000,'), Buffer.from('Jan 24,100\n4010,Jan 24,'), Buffer.from('250\n')];
    const set = await postJson(`${MODEL}/files/${GL_FILE}`, { id: GL_FILE, name: 'gl_actuals.csv', chunkCount: 3, localeName: null });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      meta: { schema: `${emu.url}/2/0/models/${fpa.id}/objects/file` },
      status: { code: 200, message: 'Success' },
      file: { id: GL_FILE, name: 'gl_actuals.csv', chunkCount: 3, delimiter: '"', encoding: 'UTF-8', firstDataRow: 2, format: 'txt', headerRow: 1, separator: ',' },
    });

    const chunks = await call(`${MODEL}/files/${GL_FILE}/chunks`);
    expect(chunks.body.chunks).toEqual([
      { id: '0', name: 'Chunk 0' },
      { id: '1', name: 'Chunk 1' },
      { id: '2', name: 'Chunk 2' },
    ]);
    expect((chunks.body.meta as { paging: unknown }).paging).toEqual({ currentPageSize: 3, offset: 0, totalSize: 3 });

    expect(await putChunk(GL_FILE, '0', parts[0] ?? Buffer.alloc(0))).toBe(204);
    expect(await putChunk(GL_FILE, '1', parts[1] ?? Buffer.alloc(0))).toBe(204);
    expect(emu.uploadedFile(fpa.id, GL_FILE)).toBeUndefined(); // not complete yet
    expect(await putChunk(GL_FILE, '2', parts[2] ?? Buffer.alloc(0))).toBe(204);

    const whole = Buffer.concat(parts);
    expect(emu.uploadedFile(fpa.id, GL_FILE)).toEqual(whole);
    expect(emu.uploadedFile(fpa.id, 'GL_ACTUALS.CSV')).toEqual(whole); // by name, as the client resolves files
    expect(emu.uploadedFile(SEED.models.workforce.id, GL_FILE)).toBeUndefined(); // per model
    expect(emu.uploadedFile(fpa.id, 'nope.csv')).toBeUndefined();

    // The content downloads as it was uploaded, and the list shows its chunk count.
    expect(await downloadAll(`${MODEL}/files/${GL_FILE}/chunks`)).toEqual(whole);
    const files = (await call(`${MODEL}/files`)).body.files as { id: string; chunkCount: number }[];
    expect(files.find((file) => file.id === GL_FILE)?.chunkCount).toBe(3);
  });

  test('chunkCount -1, gzipped chunks (application/x-gzip, as Anaplan Connect sends them, or Content-Encoding: gzip), then complete', async () => {
    expect((await postJson(`${MODEL}/files/${GL_FILE}`, { chunkCount: -1 })).status).toBe(200);
    expect(await putChunk(GL_FILE, '0', gzipSync(Buffer.from('a,b\n')), { 'content-type': 'application/x-gzip' })).toBe(204);
    expect(await putChunk(GL_FILE, '1', gzipSync(Buffer.from('1,2\n')), { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' })).toBe(204);
    expect((await call(`${MODEL}/files/${GL_FILE}/chunks`)).body.chunks).toEqual([
      { id: '0', name: 'Chunk 0' },
      { id: '1', name: 'Chunk 1' },
    ]);
    expect(emu.uploadedFile(fpa.id, GL_FILE)).toBeUndefined();

    const complete = await postJson(`${MODEL}/files/${GL_FILE}/complete`, { id: GL_FILE, name: 'gl_actuals.csv', chunkCount: -1 });
    expect(complete.status).toBe(200);
    expect(complete.body.file).toMatchObject({ id: GL_FILE, chunkCount: 2 });
    expect(emu.uploadedFile(fpa.id, GL_FILE)?.toString()).toBe('a,b\n1,2\n');

    // A new upload replaces the old content only once it completes.
    expect((await postJson(`${MODEL}/files/${GL_FILE}`, { chunkCount: -1 })).status).toBe(200);
    expect(await putChunk(GL_FILE, '1', Buffer.from('late'))).toBe(204);
    const gap = await postJson(`${MODEL}/files/${GL_FILE}/complete`, {});
    expect(gap.status).toBe(400);
    expect(gap.body).toEqual({ status: { code: 400, message: 'Chunk 0 has not been uploaded' } });
    expect(emu.uploadedFile(fpa.id, GL_FILE)?.toString()).toBe('a,b\n1,2\n');
  });

  test('refuses bad chunks: not gzip, beyond the count, a bad chunk ID, a bad count', async () => {
    expect((await postJson(`${MODEL}/files/${GL_FILE}`, { chunkCount: 1 })).status).toBe(200);
    expect(await putChunk(GL_FILE, '0', Buffer.from('plain text'), { 'content-type': 'application/x-gzip' })).toBe(400);
    expect(await putChunk(GL_FILE, '1', Buffer.from('x'))).toBe(400);
    expect(await putChunk(GL_FILE, 'first', Buffer.from('x'))).toBe(400);
    expect((await postJson(`${MODEL}/files/${GL_FILE}`, { chunkCount: 0 })).status).toBe(400);
    expect((await postJson(`${MODEL}/files/${GL_FILE}`, { name: 'gl_actuals.csv' })).status).toBe(400);
  });

  test('chunk PUTs may be far larger than the 1 MiB cap other bodies have', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 'x');
    expect((await postJson(`${MODEL}/files/${GL_FILE}`, { chunkCount: 1 })).status).toBe(200);
    expect(await putChunk(GL_FILE, '0', big)).toBe(204);
    expect(emu.uploadedFile(fpa.id, GL_FILE)?.length).toBe(big.length);
    const tooBig = await call(`${MODEL}/imports/${GL_IMPORT}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: new Uint8Array(big) });
    expect(tooBig.status).toBe(413);

    // The log keeps the size of a binary body, not its bytes.
    const logged = emu.log.find((entry) => entry.method === 'PUT');
    expect(logged).toMatchObject({ body: '', bodyBytes: big.length });
  });

  test('a file the model does not have is not found, so Anaplan Connect cannot create it', async () => {
    // Model.createServerFileImportDataSource POSTs files/{name} for a name it did not find.
    const created = await postJson(`${MODEL}/files/new_file.csv`, { name: 'new_file.csv', chunkCount: -1, origin: 'Anaplan Connect' });
    expect(created.status).toBe(404);
    expect(created.body).toEqual({ status: { code: 404, message: 'File not found' } });
    expect(await putChunk('113000000099', '0', Buffer.from('x'))).toBe(404);
    expect((await postJson(`${MODEL}/files/113000000099/complete`, {})).status).toBe(404);
    expect((await call(`${MODEL}/files/113000000099/chunks`)).status).toBe(404);
    // Export files are written by exports, not uploaded.
    expect((await postJson(`${MODEL}/files/${HEADCOUNT_EXPORT}`, { chunkCount: 1 })).status).toBe(404);
  });
});

describe('tasks', () => {
  test('import: NOT_STARTED, IN_PROGRESS once, then COMPLETE with the rows of the uploaded file', async () => {
    await postJson(`${MODEL}/files/${GL_FILE}`, { chunkCount: 1 });
    await putChunk(GL_FILE, '0', Buffer.from('Account,Period,Amount\n4000,Jan 24,100\n4010,Jan 24,250\n\n'));

    const created = await postJson(`${MODEL}/imports/${GL_IMPORT}/tasks`, { localeName: 'en_US' });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      meta: { schema: `${emu.url}/2/0/models/${fpa.id}/objects/task` },
      status: { code: 200, message: 'Success' },
      task: { taskId: expect.stringMatching(HEX_ID), taskState: 'NOT_STARTED', creationTime: expect.any(Number) },
    });
    const { taskId } = created.body.task as { taskId: string };
    expect(emu.tasks).toEqual([
      { kind: 'imports', objectId: GL_IMPORT, workspaceId: financePlanning.id, modelId: fpa.id, taskId, userEmail: integration.email, state: 'NOT_STARTED' },
    ]);

    const path = `${MODEL}/imports/${GL_IMPORT}/tasks/${taskId}`;
    expect((await call(path)).body.task).toMatchObject({ taskId, taskState: 'IN_PROGRESS', progress: 0.5 });
    expect(emu.tasks[0]?.state).toBe('IN_PROGRESS');
    const done = (await call(path)).body.task;
    expect(done).toEqual({
      type: 'taskInformation',
      taskId,
      currentStep: 'Complete.',
      progress: 1,
      result: {
        details: [{ localMessageText: 'Actuals: 2 rows successful, 0 ignored', occurrences: 0, type: 'rowsProcessed', values: ['successRowCount', '2', 'ignoredCount', '0'] }],
        failureDumpAvailable: false,
        objectId: GL_IMPORT,
        successful: true,
      },
      taskState: 'COMPLETE',
      creationTime: expect.any(Number),
    });
    expect((await call(path)).body.task).toEqual(done); // stays complete
    expect(emu.tasks[0]?.state).toBe('COMPLETE');

    const list = await call(`${MODEL}/imports/${GL_IMPORT}/tasks?offset=0`);
    expect(list.body.tasks).toEqual([{ taskId, taskState: 'COMPLETE', creationTime: expect.any(Number) }]);
    expect((list.body.meta as { paging: unknown }).paging).toEqual({ currentPageSize: 1, offset: 0, totalSize: 1 });
  });

  test('a list import reports hierarchyRowsProcessed in Anaplan\'s documented shape', async () => {
    const task = await runTask('imports', EMPLOYEES_IMPORT);
    const detail = ((task.result as { details: Record<string, unknown>[] }).details)[0];
    expect(detail).toMatchObject({ type: 'hierarchyRowsProcessed', localMessageText: 'Employees: 0 (0/0) rows successful, 0 ignored', occurrences: 0 });
    expect((detail?.values as string[]).slice(0, 4)).toEqual(['hierarchyName', 'Employees', 'successRowCount', '0']);
  });

  test('export: completing writes the export file (file ID = export ID), which downloads in chunks', async () => {
    expect(((await call(`${MODEL}/files`)).body.files as { id: string }[]).map((file) => file.id)).not.toContain(HEADCOUNT_EXPORT);
    const task = await runTask('exports', HEADCOUNT_EXPORT);
    expect(task.result).toEqual({ failureDumpAvailable: false, objectId: HEADCOUNT_EXPORT, successful: true });

    const files = (await call(`${MODEL}/files?offset=0`)).body.files as Record<string, unknown>[];
    expect(files.find((file) => file.id === HEADCOUNT_EXPORT)).toEqual({ id: HEADCOUNT_EXPORT, name: 'Headcount Report.csv', chunkCount: 1, firstDataRow: 0, headerRow: 0 });
    const content = await downloadAll(`${MODEL}/files/${HEADCOUNT_EXPORT}/chunks`);
    expect(content.toString('utf8')).toBe(defaultExportContent('Headcount Report.csv'));
    expect(content.toString('utf8')).toBe('Export,Line,Amount\nHeadcount Report.csv,1,100\nHeadcount Report.csv,2,200\nHeadcount Report.csv,3,300\n');
  });

  test('setExportContent: the next run writes it; content over 10 MB comes in several chunks', async () => {
    const big = Buffer.concat([Buffer.from('Name,Value\n'), Buffer.alloc(DOWNLOAD_CHUNK_BYTES, 'a'), Buffer.from('\n')]);
    emu.setExportContent(fpa.id, 'Headcount Report.csv', big); // by name too
    await runTask('exports', HEADCOUNT_EXPORT);
    expect(((await call(`${MODEL}/files/${HEADCOUNT_EXPORT}/chunks`)).body.chunks as unknown[]).length).toBe(2);
    // Buffer.equals: a deep toEqual over 10 MB is slow.
    expect((await downloadAll(`${MODEL}/files/${HEADCOUNT_EXPORT}/chunks`)).equals(big)).toBe(true);

    emu.setExportContent(fpa.id, HEADCOUNT_EXPORT, 'Name,Value\nx,1\n');
    expect(() => emu.setExportContent(fpa.id, '116000000099', 'x')).toThrow(/no export/);
    expect(() => emu.setExportContent('NOPE', HEADCOUNT_EXPORT, 'x')).toThrow(/No model/);
    await runTask('exports', HEADCOUNT_EXPORT);
    expect((await downloadAll(`${MODEL}/files/${HEADCOUNT_EXPORT}/chunks`)).toString()).toBe('Name,Value\nx,1\n');
  });

  test('export metadata describes the content the export writes', async () => {
    const answer = await call(`${MODEL}/exports/${HEADCOUNT_EXPORT}`);
    expect(answer.status).toBe(200);
    expect(answer.body.exportMetadata).toEqual({
      columnCount: 3,
      dataTypes: ['MIXED', 'MIXED', 'MIXED'],
      delimiter: '"',
      encoding: 'UTF-8',
      exportFormat: 'text/csv',
      headerNames: ['Export', 'Line', 'Amount'],
      listNames: ['', '', ''],
      rowCount: 3,
      separator: ',',
    });
    expect((await call(`${MODEL}/exports/116000000099`)).status).toBe(404);
  });

  test('process: one nested result per action, in order', async () => {
    const task = await runTask('processes', NIGHTLY_PROCESS);
    const result = task.result as { nestedResults: { objectId: string; successful: boolean }[] };
    expect(result).toMatchObject({ failureDumpAvailable: false, objectId: NIGHTLY_PROCESS, successful: true });
    expect(result.nestedResults.map((nested) => [nested.objectId, nested.successful])).toEqual([
      [EMPLOYEES_IMPORT, true],
      [GL_IMPORT, true],
      [DELETE_ACTION, true],
    ]);
  });

  test('action: completes successfully with no dump', async () => {
    const task = await runTask('actions', DELETE_ACTION);
    expect(task.result).toEqual({ failureDumpAvailable: false, objectId: DELETE_ACTION, successful: true });
    expect(emu.tasks.map((entry) => [entry.kind, entry.state])).toEqual([['actions', 'COMPLETE']]);
  });

  test('inProgressPolls: 0 completes on the first status read', async () => {
    const emulator = await start({ inProgressPolls: 0 });
    const emulatorToken = await login(emulator);
    const created = await call(`${MODEL}/actions/${DELETE_ACTION}/tasks`, { method: 'POST', body: '{"localeName":"en"}' }, emulator, emulatorToken);
    const { taskId } = created.body.task as { taskId: string };
    const status = await call(`${MODEL}/actions/${DELETE_ACTION}/tasks/${taskId}`, {}, emulator, emulatorToken);
    expect((status.body.task as { taskState: string }).taskState).toBe('COMPLETE');
  });

  test('the body must carry a localeName', async () => {
    for (const body of ['', '{}', '{"localeName":""}', 'not json']) {
      const answer = await call(`${MODEL}/imports/${GL_IMPORT}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(answer.status).toBe(400);
    }
    expect(emu.tasks).toHaveLength(0);
  });

  test('DELETE cancels a running task: CANCELLING, then CANCELLED, and it does nothing', async () => {
    const taskId = await startTask('exports', HEADCOUNT_EXPORT);
    const path = `${MODEL}/exports/${HEADCOUNT_EXPORT}/tasks/${taskId}`;
    const cancelled = await call(path, { method: 'DELETE' });
    expect(cancelled.status).toBe(200);
    expect((cancelled.body.task as { taskState: string }).taskState).toBe('CANCELLING');
    expect((await call(path)).body.task).toMatchObject({ taskState: 'CANCELLED' });
    expect((await call(`${MODEL}/files/${HEADCOUNT_EXPORT}/chunks`)).status).toBe(404);
  });
});

describe('failNextTask', () => {
  test('the next import fails with a failure dump; the one after succeeds', async () => {
    await postJson(`${MODEL}/files/${GL_FILE}`, { chunkCount: 1 });
    await putChunk(GL_FILE, '0', Buffer.from('Account,Amount\n4000,100\n'));
    emu.failNextTask('imports', GL_IMPORT, 'Invalid line item identifier');
    const taskId = await startTask('imports', GL_IMPORT);
    const path = `${MODEL}/imports/${GL_IMPORT}/tasks/${taskId}`;
    await call(path);
    const task = (await call(path)).body.task as Record<string, unknown>;
    expect(task.result).toEqual({
      details: [{ localMessageText: 'Invalid line item identifier', occurrences: 0, type: 'rowsProcessedWithFailures', values: [] }],
      failureDumpAvailable: true,
      objectId: GL_IMPORT,
      successful: false,
    });
    const dump = await downloadAll(`${path}/dump/chunks`);
    expect(dump.toString()).toBe('_Line_,_Error_1_\n2,"Invalid line item identifier",4000,100\n');

    const again = await runTask('imports', GL_IMPORT);
    expect(again.result).toMatchObject({ successful: true, failureDumpAvailable: false });
  });

  test('a process fails at its first action, whose dump is under dumps/{objectId}', async () => {
    emu.failNextTask('processes', NIGHTLY_PROCESS);
    const taskId = await startTask('processes', NIGHTLY_PROCESS);
    const path = `${MODEL}/processes/${NIGHTLY_PROCESS}/tasks/${taskId}`;
    await call(path);
    const result = ((await call(path)).body.task as { result: Record<string, unknown> }).result;
    expect(result).toMatchObject({
      failureDumpAvailable: true,
      nestedResults: [{ objectId: EMPLOYEES_IMPORT, successful: false, failureDumpAvailable: true }],
      objectId: NIGHTLY_PROCESS,
      successful: false,
    });
    expect((await downloadAll(`${path}/dumps/${EMPLOYEES_IMPORT}/chunks`)).toString()).toMatch(/^_Line_,_Error_1_\n/);
    expect((await call(`${path}/dumps/${GL_IMPORT}/chunks`)).status).toBe(404);
    expect((await call(`${path}/dump/chunks`)).status).toBe(404);
  });

  test('an export or action fails without a dump; an export that fails writes no file', async () => {
    emu.failNextTask('exports', HEADCOUNT_EXPORT, 'Export refused');
    emu.failNextTask('actions', DELETE_ACTION);
    expect((await runTask('exports', HEADCOUNT_EXPORT)).result).toEqual({
      details: [{ localMessageText: 'Export refused', occurrences: 0, type: 'failure', values: [] }],
      failureDumpAvailable: false,
      objectId: HEADCOUNT_EXPORT,
      successful: false,
    });
    expect((await call(`${MODEL}/files/${HEADCOUNT_EXPORT}/chunks`)).status).toBe(404);
    expect((await runTask('actions', DELETE_ACTION)).result).toMatchObject({ successful: false, failureDumpAvailable: false });
  });

  test('throws for an object no model has', () => {
    expect(() => emu.failNextTask('imports', '112000000099')).toThrow(/No model has imports 112000000099/);
  });

  test('reset clears tasks, failure scripts, uploads and export content', async () => {
    await postJson(`${MODEL}/files/${GL_FILE}`, { chunkCount: 1 });
    await putChunk(GL_FILE, '0', Buffer.from('x\n'));
    emu.setExportContent(fpa.id, HEADCOUNT_EXPORT, 'custom\n');
    await runTask('exports', HEADCOUNT_EXPORT);
    emu.failNextTask('actions', DELETE_ACTION);
    emu.reset();
    expect(emu.tasks).toEqual([]);
    expect(emu.uploadedFile(fpa.id, GL_FILE)).toBeUndefined();
    expect((await call(`${MODEL}/files/${HEADCOUNT_EXPORT}/chunks`)).status).toBe(404);
    expect((await runTask('actions', DELETE_ACTION)).result).toMatchObject({ successful: true });
    await runTask('exports', HEADCOUNT_EXPORT);
    expect((await downloadAll(`${MODEL}/files/${HEADCOUNT_EXPORT}/chunks`)).toString()).toBe(defaultExportContent('Headcount Report.csv'));
  });
});

describe('access', () => {
  test('every transfer and task route needs a live token', async () => {
    const unauthorized = { status: { code: 401, message: 'Authentication failed' } };
    const taskId = await startTask('imports', GL_IMPORT);
    const requests: [string, string][] = [
      ['GET', `${MODEL}/files`],
      ['POST', `${MODEL}/files/${GL_FILE}`],
      ['PUT', `${MODEL}/files/${GL_FILE}/chunks/0`],
      ['POST', `${MODEL}/files/${GL_FILE}/complete`],
      ['GET', `${MODEL}/files/${GL_FILE}/chunks`],
      ['GET', `${MODEL}/files/${GL_FILE}/chunks/0`],
      ['POST', `${MODEL}/imports/${GL_IMPORT}/tasks`],
      ['GET', `${MODEL}/imports/${GL_IMPORT}/tasks`],
      ['GET', `${MODEL}/imports/${GL_IMPORT}/tasks/${taskId}`],
      ['DELETE', `${MODEL}/imports/${GL_IMPORT}/tasks/${taskId}`],
      ['GET', `${MODEL}/exports/${HEADCOUNT_EXPORT}`],
      ['GET', '/2/0/models'],
      ['GET', `/2/0/workspaces/${financePlanning.id}`],
    ];
    for (const [method, path] of requests) {
      for (const auth of [null, 'not-a-token']) {
        const answer = await call(path, { method, body: method === 'GET' ? undefined : '{"localeName":"en_US","chunkCount":1}' }, emu, auth);
        expect([method, path, answer.status, answer.body]).toEqual([method, path, 401, unauthorized]);
      }
    }
    expect(emu.tasks).toHaveLength(1);
  });

  test('unknown or hidden workspaces, models, objects, tasks and chunks are 404', async () => {
    const taskId = await startTask('imports', GL_IMPORT);
    const hidden = `/2/0/workspaces/${executiveCompensation.id}/models/${SEED.models.executivePay.id}`;
    const otherWorkspace = `/2/0/workspaces/${salesOps.id}/models/${fpa.id}`;
    for (const path of [
      `${hidden}/files`,
      `${otherWorkspace}/files`,
      `${hidden}/imports/${GL_IMPORT}/tasks/${taskId}`,
      `${MODEL}/imports/112000000099/tasks`,
      `${MODEL}/imports/${GL_IMPORT}/tasks/00000000000000000000000000000000`,
      `${MODEL}/exports/${HEADCOUNT_EXPORT}/tasks/${taskId}`, // a task of another object
      `${MODEL}/processes/118000000099/tasks`,
      `${MODEL}/actions/117000000099/tasks`,
      `${MODEL}/files/${GL_FILE}/chunks/0`, // no content yet
      `${MODEL}/files/${GL_FILE}/chunks/x`,
      `${MODEL}/imports/${GL_IMPORT}/tasks/${taskId}/dump/chunks`, // no dump
    ]) {
      const answer = await call(path);
      expect([path, answer.status]).toEqual([path, 404]);
      expect(answer.body).toMatchObject({ status: { code: 404 } });
    }
    expect((await postJson(`${MODEL}/exports/116000000099/tasks`, { localeName: 'en_US' })).status).toBe(404);
  });
});

describe('control routes', () => {
  test('script a failure, read tasks and uploads, set export content from another process', async () => {
    const control = (path: string, init: RequestInit = {}): Promise<JsonResponse> => call(path, init, emu, null);
    const json = { 'content-type': 'application/json' };
    expect((await control('/__emulator/tasks/fail', { method: 'POST', headers: json, body: JSON.stringify({ kind: 'actions', objectId: DELETE_ACTION }) })).status).toBe(201);
    expect((await control('/__emulator/tasks/fail', { method: 'POST', headers: json, body: JSON.stringify({ kind: 'lists', objectId: DELETE_ACTION }) })).status).toBe(400);
    expect((await runTask('actions', DELETE_ACTION)).result).toMatchObject({ successful: false });
    expect((await control('/__emulator/tasks')).body).toEqual([expect.objectContaining({ kind: 'actions', objectId: DELETE_ACTION, state: 'COMPLETE' })]);

    expect((await control('/__emulator/exports/content', { method: 'POST', headers: json, body: JSON.stringify({ modelId: fpa.id, exportId: HEADCOUNT_EXPORT, content: 'a,b\n' }) })).status).toBe(204);
    await runTask('exports', HEADCOUNT_EXPORT);
    expect((await downloadAll(`${MODEL}/files/${HEADCOUNT_EXPORT}/chunks`)).toString()).toBe('a,b\n');

    expect((await fetch(`${emu.url}/__emulator/models/${fpa.id}/files/gl_actuals.csv`)).status).toBe(404);
    await postJson(`${MODEL}/files/${GL_FILE}`, { chunkCount: 1 });
    await putChunk(GL_FILE, '0', Buffer.from('uploaded\n'));
    const uploaded = await fetch(`${emu.url}/__emulator/models/${fpa.id}/files/gl_actuals.csv`);
    expect(await uploaded.text()).toBe('uploaded\n');
  });
});
