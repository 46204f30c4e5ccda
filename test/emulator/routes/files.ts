import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import type { RequestContext } from '../context.js';
import { bytesReply, emptyReply, jsonReply, type Reply } from '../reply.js';
import { route, type RouteModule } from '../router.js';
import type { EmulatorModel, EmulatorState, EmulatorUser, FileDefinition } from '../state.js';
import { completeUpload, contentChunks, listedChunkCount, MAX_CHUNK_BYTES, putChunk, startUpload, uploadSession } from '../transfers.js';
import { authed, badRequest, isReply, itemReply, jsonObjectBody, listReply, modelScope, notFound, schemaUrl, type ModelScope } from './api.js';

/**
 * Files of a model (Integration API v2.0 "Upload files for actions" and "Download files"): the
 * list, setting the chunk count, chunk uploads, completing, and chunk downloads. Import data
 * sources are uploaded; export files are written by export tasks (file ID = export ID) and only
 * downloaded. An upload to a file the model does not have is 404 "File not found": Anaplan
 * Connect then tries POST files/{name} to create it, gets that 404 and fails with its own
 * "Could not create import-data with ID" error.
 */

const MODEL_PATH = '/2/0/workspaces/:workspaceId/models/:modelId';
const CHUNK_UPLOAD_PATH = /^\/2\/0\/workspaces\/[^/]+\/models\/[^/]+\/files\/[^/]+\/chunks\/[^/]+$/;

/** Slack over the 50 MB chunk limit for gzip framing and a last chunk that ends past a separator. */
const CHUNK_MARGIN_BYTES = 1024 * 1024;
/** The largest chunk PUT body server.ts reads (others are capped at 1 MiB). */
export const MAX_CHUNK_BODY_BYTES = MAX_CHUNK_BYTES + CHUNK_MARGIN_BYTES;

/** A chunk PUT, whose body may be up to MAX_CHUNK_BODY_BYTES. */
export function isChunkUpload(method: string, path: string): boolean {
  return method === 'PUT' && CHUNK_UPLOAD_PATH.test(path);
}

const CHUNK_ID = /^\d{1,6}$/;

// Anaplan Connect sends the whole file record back (ServerFileData, nulls included); Anaplan's
// docs show `{"chunkCount": 1}`. The count is -1 (unknown, finish with .../complete) or positive.
// The file's other settings are the model's and stay as seeded.
const SetChunkCountSchema = z.object({
  chunkCount: z.number().int().refine((count) => count === -1 || count > 0, { message: 'chunkCount must be -1 or a positive number' }),
});

export const filesApi: RouteModule = {
  name: 'files',
  routes: [
    route('GET', `${MODEL_PATH}/files`, authed((ctx, user) => {
      const scope = modelScope(ctx, user);
      if (isReply(scope)) return scope;
      return listReply(ctx, schemaUrl(ctx, 'file', scope.model.id), 'files', listedFiles(ctx.env.state, scope.model));
    })),

    route('POST', `${MODEL_PATH}/files/:fileId`, authed((ctx, user) =>
      withImportFile(ctx, user, (scope, file) => {
        const body = jsonObjectBody(ctx);
        if (!body) return badRequest('Request body is not a JSON object');
        const parsed = SetChunkCountSchema.safeParse(body);
        if (!parsed.success) return badRequest(z.prettifyError(parsed.error));
        startUpload(ctx.env.state, scope.model.id, file.id, parsed.data.chunkCount);
        return itemReply(schemaUrl(ctx, 'file', scope.model.id), 'file', importFileJson(ctx.env.state, scope.model, file));
      }),
    )),

    route('PUT', `${MODEL_PATH}/files/:fileId/chunks/:chunkId`, authed((ctx, user) =>
      withImportFile(ctx, user, (scope, file) => {
        const chunkId = ctx.params.chunkId ?? '';
        if (!CHUNK_ID.test(chunkId)) return badRequest(`Invalid chunk ID "${chunkId}"`);
        const index = Number(chunkId);
        const declared = uploadSession(ctx.env.state, scope.model.id, file.id)?.chunkCount ?? -1;
        if (declared > 0 && index >= declared) return badRequest(`Chunk ${index} is beyond the chunk count ${declared}`);
        const bytes = chunkBytes(ctx);
        if (typeof bytes === 'string') return badRequest(bytes);
        if (bytes === null) return jsonReply(413, { status: { code: 413, message: 'Chunk is larger than 50 MB' } });
        putChunk(ctx.env.state, scope.model.id, file.id, index, bytes);
        return emptyReply(204); // Anaplan: "A successful chunk upload returns: 204 No Content"
      }),
    )),

    route('POST', `${MODEL_PATH}/files/:fileId/complete`, authed((ctx, user) =>
      withImportFile(ctx, user, (scope, file) => {
        const outcome = completeUpload(ctx.env.state, scope.model.id, file.id);
        if (!outcome.ok) return badRequest(outcome.message);
        return itemReply(schemaUrl(ctx, 'file', scope.model.id), 'file', importFileJson(ctx.env.state, scope.model, file));
      }),
    )),

    // The chunk list of a file being uploaded with a declared count is that many chunks: Anaplan
    // Connect's `-put` asks for it after setting the count and uploads one chunk per entry.
    route('GET', `${MODEL_PATH}/files/:fileId/chunks`, authed((ctx, user) =>
      withAnyFile(ctx, user, (scope, fileId) => {
        const session = uploadSession(ctx.env.state, scope.model.id, fileId);
        const ids = session
          ? session.chunkCount > 0
            ? range(session.chunkCount)
            : [...session.chunks.keys()].sort((a, b) => a - b)
          : range(contentChunks(ctx.env.state, scope.model.id, fileId)?.length ?? 0);
        return listReply(ctx, schemaUrl(ctx, 'chunk', scope.model.id), 'chunks', ids.map(chunkJson), Number.POSITIVE_INFINITY);
      }),
    )),

    route('GET', `${MODEL_PATH}/files/:fileId/chunks/:chunkId`, authed((ctx, user) =>
      withAnyFile(ctx, user, (scope, fileId) => {
        const chunkId = ctx.params.chunkId ?? '';
        const chunk = CHUNK_ID.test(chunkId) ? contentChunks(ctx.env.state, scope.model.id, fileId)?.[Number(chunkId)] : undefined;
        return chunk ? bytesReply(200, chunk) : notFound('Chunk not found');
      }),
    )),
  ],
};

/** Import data sources, then the files exports have written, in Anaplan's shapes ("Get the list of export files"). */
function listedFiles(state: EmulatorState, model: EmulatorModel): Record<string, unknown>[] {
  const imports = model.objects.files.map((file) => importFileJson(state, model, file));
  const exports = model.objects.exports.flatMap((definition) => {
    const chunks = contentChunks(state, model.id, definition.id);
    // Export files have fewer properties: id, name, chunkCount, firstDataRow and headerRow.
    return chunks ? [{ id: definition.id, name: definition.name, chunkCount: chunks.length, firstDataRow: 0, headerRow: 0 }] : [];
  });
  return [...imports, ...exports];
}

function importFileJson(state: EmulatorState, model: EmulatorModel, file: FileDefinition): Record<string, unknown> {
  return { ...file, chunkCount: listedChunkCount(state, model.id, file) };
}

function chunkJson(index: number): Record<string, string> {
  return { id: String(index), name: `Chunk ${index}` };
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

type FileHandler = (scope: ModelScope, file: FileDefinition) => Reply;

/** Upload routes take import data sources only, by ID (Anaplan's paths carry the file ID). */
function withImportFile(ctx: RequestContext, user: EmulatorUser, handle: FileHandler): Reply {
  const scope = modelScope(ctx, user);
  if (isReply(scope)) return scope;
  const file = scope.model.objects.files.find((entry) => entry.id === ctx.params.fileId);
  return file ? handle(scope, file) : notFound('File not found');
}

/** Download routes take import data sources and export files. */
function withAnyFile(ctx: RequestContext, user: EmulatorUser, handle: (scope: ModelScope, fileId: string) => Reply): Reply {
  const scope = modelScope(ctx, user);
  if (isReply(scope)) return scope;
  const fileId = ctx.params.fileId ?? '';
  const known =
    scope.model.objects.files.some((entry) => entry.id === fileId) ||
    (scope.model.objects.exports.some((entry) => entry.id === fileId) && contentChunks(ctx.env.state, scope.model.id, fileId) !== undefined);
  return known ? handle(scope, fileId) : notFound('File not found');
}

const GZIP_TYPES = new Set(['application/x-gzip', 'application/gzip', 'x-gzip']);

/**
 * The chunk's bytes, decompressed: Anaplan takes `Content-Type: application/x-gzip` for a
 * gzipped chunk (Anaplan's "Upload a file in chunks"), which is what Anaplan Connect 4.1.0 always
 * sends (ServerFile.upLoad calls uploadChunkCompressed; CompressPutBodyInjector gzips unless the
 * bytes already start with the gzip magic). `Content-Encoding: gzip` is undone too. A string is
 * the error to answer with; null: too large once decompressed.
 */
function chunkBytes(ctx: RequestContext): Buffer | string | null {
  let bytes = ctx.rawBody;
  const encoding = (ctx.headers['content-encoding'] ?? '').trim().toLowerCase();
  const type = (ctx.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const layers = (encoding === 'gzip' || encoding === 'x-gzip' ? 1 : 0) + (GZIP_TYPES.has(type) ? 1 : 0);
  if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip') return `Unsupported Content-Encoding "${encoding}"`;
  for (let layer = 0; layer < layers; layer++) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_CHUNK_BODY_BYTES });
    } catch (error) {
      if (error instanceof RangeError || (error instanceof Error && 'code' in error && error.code === 'ERR_BUFFER_TOO_LARGE')) return null;
      return 'Chunk is not valid gzip data';
    }
  }
  return bytes.length > MAX_CHUNK_BODY_BYTES ? null : bytes;
}
