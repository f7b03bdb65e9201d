/**
 * The identification service: one shared identifier behind a Fastify HTTP server.
 *
 *   POST /identify   JSON list of {id, sequence} (application/json) or FASTA (text/x-fasta, text/plain, ...);
 *                    answers {results: [PredictionRecord...]} in request order, the rows `dna identify` writes for
 *                    the same queries, or that CSV itself when the client accepts text/csv.
 *   GET  /health     status, index (records, distinct barcodes, k, species threshold), novel-species mode, workers,
 *                    requests in flight.
 *
 * Requests are searched concurrently on the identifier's worker threads. Errors are JSON {statusCode, error, code,
 * message}: 400 bad record (message names it), 413 body or query count over the limit, 415 other content types.
 * close() stops accepting connections, lets requests in flight finish, then resolves.
 */
import { STATUS_CODES } from 'node:http';
import { formatCell } from '@bioscan5m/core';
import {
  PREDICTION_COLUMNS,
  predictionCells,
  predictionRecord,
  type PredictionRecord,
} from '../identify/predictions.js';
import { INDEX_FORMAT_VERSION } from '../identify/index-file.js';
import type { ServiceIdentifier } from './engine.js';
import { loadFastify } from './fastify.js';
import { queriesFromFasta, queriesFromJson, RequestError, type QueryLimits } from './requests.js';

/** Content types read as FASTA text. */
export const FASTA_CONTENT_TYPES = [
  'text/x-fasta',
  'text/fasta',
  'application/x-fasta',
  'application/fasta',
  'text/plain',
];

export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;
export const DEFAULT_MAX_QUERIES = 10_000;

export interface IdentifyServerOptions {
  identifier: ServiceIdentifier;
  /** Interface to listen on (default 127.0.0.1: this machine only). */
  host?: string;
  /** Port (default 8080; 0: any free port, see IdentifyServer.port). */
  port?: number;
  /** Largest request body in bytes (default 16 MiB; larger: 413). */
  bodyLimit?: number;
  /** Most queries per request (default 10,000; more: 413). */
  maxQueries?: number;
  /** Reported by /health: where the index came from, the software version. */
  about?: { source?: string; version?: string; [key: string]: unknown };
}

export interface IdentifyServer {
  /** http://host:port/ */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Identification requests being answered now. */
  readonly inFlight: number;
  /** Stops accepting connections, waits for the requests in flight, closes idle connections. */
  close(): Promise<void>;
}

export interface IdentifyResponse {
  results: PredictionRecord[];
}

/** Starts the service; resolves once it listens. The identifier stays the caller's to close. */
export async function startIdentifyServer(opts: IdentifyServerOptions): Promise<IdentifyServer> {
  const fastify = (await loadFastify()).default;
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const limits: QueryLimits = { maxQueries: opts.maxQueries ?? DEFAULT_MAX_QUERIES };
  const identifier = opts.identifier;
  const started = Date.now();
  let inFlight = 0;
  let answered = 0;

  // return503OnClosing: a request on a kept-alive connection after close() began gets 503, not a reset.
  const app = fastify({ bodyLimit, logger: false, return503OnClosing: true, forceCloseConnections: 'idle' });
  // Answers sent while closing end their connection: a kept-alive connection that goes idle after close() began
  // would otherwise hold close() until the keep-alive timeout.
  let closing = false;
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addContentTypeParser(FASTA_CONTENT_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // JSON parsed here rather than by Fastify's parser, whose error does not say where the JSON breaks.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const { status, code, message } = describeError(err, bodyLimit, req.headers['content-type']);
    reply.code(status).send({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', code, message });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({
      statusCode: 404,
      error: 'Not Found',
      code: 'NOT_FOUND',
      message: `no route ${req.method} ${req.url}: POST /identify, GET /health`,
    });
  });

  app.get('/health', async () => ({
    status: 'ok',
    ...opts.about,
    index: {
      // The index file and its format version when the identifier was loaded from one (else built at start-up).
      file: identifier.info.indexFile ?? null,
      formatVersion: identifier.info.indexFile ? INDEX_FORMAT_VERSION : null,
      records: identifier.info.referenceRecords,
      barcodes: identifier.info.referenceBarcodes,
      k: identifier.info.k,
      speciesThreshold: identifier.info.speciesThreshold,
      thresholdSource: identifier.info.thresholdSource,
    },
    // 'empty' when the identifier was opened with novelSpecies 'empty' (`dna serve --open-world`).
    novelSpecies: identifier.novelSpecies ?? 'nearest',
    workers: identifier.threads,
    limits: { bodyBytes: bodyLimit, queries: limits.maxQueries },
    inFlight,
    answered,
    uptimeSeconds: Math.round((Date.now() - started) / 1000),
  }));

  app.post('/identify', async (req, reply) => {
    inFlight++;
    try {
      const queries =
        typeof req.body === 'string' ? queriesFromFasta(req.body, limits) : queriesFromJson(req.body, limits);
      const preds = await identifier.identifyManyAsync(queries.map((q) => q.cleaned));
      const results = queries.map((q, i) => predictionRecord(q.id, q.sequence, q.cleaned, preds[i]));
      answered += queries.length;
      if (wantsCsv(req.headers.accept)) {
        reply.type('text/csv; charset=utf-8');
        return [
          PREDICTION_COLUMNS.join(','),
          ...results.map((r) =>
            predictionCells(r)
              .map((c) => formatCell(c))
              .join(','),
          ),
        ]
          .map((line) => `${line}\n`)
          .join('');
      }
      return { results } satisfies IdentifyResponse;
    } finally {
      inFlight--;
    }
  });

  await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 8080 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no TCP address');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    host: address.address,
    port: address.port,
    get inFlight() {
      return inFlight;
    },
    close: async () => {
      closing = true;
      await app.close();
    },
  };
}

/** A JSON request body; a RequestError saying where it breaks when it is no JSON. */
function parseJsonBody(text: string): unknown {
  if (!text.trim())
    throw new RequestError(
      400,
      'INVALID_JSON',
      'the request body is empty: expected a JSON list of {id, sequence} records',
    );
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RequestError(400, 'INVALID_JSON', `the request body is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * CSV when the client asks for text/csv and not for JSON (the two types this route speaks; no q-value ranking
 * needed, so no Accept-negotiation plugin).
 */
function wantsCsv(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept);
}

/** HTTP status, code and message of a failed request (framework errors reworded to say what to do). */
function describeError(
  err: Error & { statusCode?: number; code?: string },
  bodyLimit: number,
  contentType: string | undefined,
): { status: number; code: string; message: string } {
  if (err instanceof RequestError) return { status: err.statusCode, code: err.code, message: err.message };
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        code: 'BODY_TOO_LARGE',
        message: `the request body is larger than the limit of ${bodyLimit} bytes: split the queries over several requests`,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        code: 'UNSUPPORTED_CONTENT_TYPE',
        message: `${contentType ? `content type ${JSON.stringify(contentType)} is not accepted` : 'no content type given'}: send a JSON list of {id, sequence} (application/json) or FASTA (${FASTA_CONTENT_TYPES.join(', ')})`,
      };
  }
  const status = err.statusCode ?? 500;
  return { status, code: err.code ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'), message: err.message };
}
