import { fileKey, type EmulatorModel, type EmulatorState, type ExportDefinition, type FileDefinition, type UploadSession } from './state.js';

/**
 * Files in a model: uploads in chunks, the content they leave, and the files exports write.
 * Plain functions over EmulatorState.transfers, used by routes/files.ts, routes/tasks.ts and the
 * test helpers in server.ts.
 */

/**
 * Download chunks are "10 mb or less" (Anaplan's "Get the list of process dump file chunks"): an
 * export's or dump's content is served in pieces of at most this size.
 */
export const DOWNLOAD_CHUNK_BYTES = 10 * 1024 * 1024;

/** Anaplan wants upload chunks "between 1 and 50 MB" of uncompressed data (Anaplan's "Set and post the chunk count"). */
export const MAX_CHUNK_BYTES = 50 * 1024 * 1024;

/** The model's import data source with this ID, or else this name (names compare without case, as Anaplan Connect's Model.getServerFile does). */
export function findImportFile(model: EmulatorModel, idOrName: string): FileDefinition | undefined {
  const files = model.objects.files;
  return files.find((file) => file.id === idOrName) ?? files.find((file) => file.name.toLowerCase() === idOrName.toLowerCase());
}

export function findExport(model: EmulatorModel, idOrName: string): ExportDefinition | undefined {
  const exports = model.objects.exports;
  return exports.find((definition) => definition.id === idOrName) ?? exports.find((definition) => definition.name.toLowerCase() === idOrName.toLowerCase());
}

/** Begins (or restarts) an upload: POST .../files/{fileId} with `chunkCount` N, or -1 to finish with POST .../complete. */
export function startUpload(state: EmulatorState, modelId: string, fileId: string, chunkCount: number): UploadSession {
  const session: UploadSession = { chunkCount, chunks: new Map() };
  state.transfers.uploads.set(fileKey(modelId, fileId), session);
  return session;
}

/**
 * Stores chunk `index`. A chunk with no upload begun opens one whose count is unknown (-1). When
 * the declared count is in, the upload is complete: Anaplan Connect's `-put` sets the count up
 * front and never calls .../complete (ServerFile.upLoad).
 */
export function putChunk(state: EmulatorState, modelId: string, fileId: string, index: number, bytes: Buffer): UploadSession {
  const key = fileKey(modelId, fileId);
  const session = state.transfers.uploads.get(key) ?? startUpload(state, modelId, fileId, -1);
  session.chunks.set(index, bytes);
  if (session.chunkCount > 0 && session.chunks.size === session.chunkCount) finishUpload(state, key, session);
  return session;
}

export type CompleteOutcome = { ok: true } | { ok: false; message: string };

/** POST .../complete: the chunks sent, numbered from 0 without gaps, become the file's content. */
export function completeUpload(state: EmulatorState, modelId: string, fileId: string): CompleteOutcome {
  const key = fileKey(modelId, fileId);
  const session = state.transfers.uploads.get(key);
  if (!session) {
    // Nothing under way: the declared chunks already completed it, or nothing was sent.
    return state.transfers.contents.has(key) ? { ok: true } : { ok: false, message: 'No upload is in progress for this file' };
  }
  const expected = session.chunkCount > 0 ? session.chunkCount : session.chunks.size;
  for (let index = 0; index < expected; index++) {
    if (!session.chunks.has(index)) return { ok: false, message: `Chunk ${index} has not been uploaded` };
  }
  if (session.chunks.size !== expected) return { ok: false, message: 'Chunks are not numbered 0 to N-1' };
  finishUpload(state, key, session);
  return { ok: true };
}

function finishUpload(state: EmulatorState, key: string, session: UploadSession): void {
  const chunks = [...session.chunks.entries()].sort(([a], [b]) => a - b).map(([, bytes]) => bytes);
  state.transfers.contents.set(key, chunks);
  state.transfers.uploads.delete(key);
}

/** The upload under way for a file, if any. */
export function uploadSession(state: EmulatorState, modelId: string, fileId: string): UploadSession | undefined {
  return state.transfers.uploads.get(fileKey(modelId, fileId));
}

/** The chunks of a file's content (a completed upload or an export's result), if it has any. */
export function contentChunks(state: EmulatorState, modelId: string, fileId: string): Buffer[] | undefined {
  return state.transfers.contents.get(fileKey(modelId, fileId));
}

/** The whole content of a file, if it has any. */
export function fileContent(state: EmulatorState, modelId: string, fileId: string): Buffer | undefined {
  const chunks = contentChunks(state, modelId, fileId);
  return chunks ? Buffer.concat(chunks) : undefined;
}

/**
 * The chunk count the file list shows: the declared count while an upload is under way (the count
 * received so far when it was -1), the stored chunks once there is content, else the seeded count.
 */
export function listedChunkCount(state: EmulatorState, modelId: string, file: FileDefinition): number {
  const session = uploadSession(state, modelId, file.id);
  if (session) return session.chunkCount > 0 ? session.chunkCount : session.chunks.size;
  return contentChunks(state, modelId, file.id)?.length ?? file.chunkCount;
}

/** Splits content into download chunks of at most DOWNLOAD_CHUNK_BYTES (none for empty content). */
export function splitChunks(content: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < content.length; offset += DOWNLOAD_CHUNK_BYTES) {
    chunks.push(content.subarray(offset, offset + DOWNLOAD_CHUNK_BYTES));
  }
  return chunks;
}

/** What running the export writes: what a test set, else defaultExportContent. */
export function exportContent(state: EmulatorState, modelId: string, definition: ExportDefinition): Buffer {
  return state.transfers.exportContent.get(fileKey(modelId, definition.id)) ?? Buffer.from(defaultExportContent(definition.name), 'utf8');
}

/** Writes the export's file (file ID = export ID, as Anaplan does), replacing the last run's. */
export function writeExportFile(state: EmulatorState, modelId: string, definition: ExportDefinition): void {
  state.transfers.contents.set(fileKey(modelId, definition.id), splitChunks(exportContent(state, modelId, definition)));
}

/** A small CSV that depends only on the export's name, so tests can predict a download. */
export function defaultExportContent(exportName: string): string {
  const name = csvField(exportName);
  return ['Export,Line,Amount', `${name},1,100`, `${name},2,200`, `${name},3,300`, ''].join('\n');
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Emulator.uploadedFile: the last completed upload of an import data source, by ID or name. */
export function uploadedFile(state: EmulatorState, modelId: string, fileNameOrId: string): Buffer | undefined {
  const model = state.models.find((m) => m.id === modelId);
  const file = model ? findImportFile(model, fileNameOrId) : undefined;
  return model && file ? fileContent(state, model.id, file.id) : undefined;
}

/** Emulator.setExportContent: what the export (by ID or name) writes from now on. Throws when the model or export is unknown. */
export function setExportContent(state: EmulatorState, modelId: string, exportIdOrName: string, content: string | Buffer): void {
  const model = state.models.find((m) => m.id === modelId);
  if (!model) throw new Error(`No model ${modelId}`);
  const definition = findExport(model, exportIdOrName);
  if (!definition) throw new Error(`Model ${modelId} has no export ${exportIdOrName}`);
  state.transfers.exportContent.set(fileKey(model.id, definition.id), typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content));
}

/** Lines of a text file from `firstDataRow` (1-based) on, ignoring blank ones: the rows an import reads. */
export function dataRows(content: Buffer | undefined, firstDataRow: number): string[] {
  if (!content) return [];
  const lines = content.toString('utf8').split(/\r?\n/);
  return lines.slice(Math.max(firstDataRow, 1) - 1).filter((line) => line.trim() !== '');
}
