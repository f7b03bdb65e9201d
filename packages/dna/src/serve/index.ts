/**
 * `@bioscan5m/dna/serve`: the local identification service (`bioscan5m dna serve`). Needs the optional peer
 * `fastify` (loaded when a server starts; a MissingDependencyError names it when absent).
 */
export { startIdentifyServer, FASTA_CONTENT_TYPES, DEFAULT_BODY_LIMIT, DEFAULT_MAX_QUERIES } from './server.js';
export type { IdentifyServer, IdentifyServerOptions, IdentifyResponse } from './server.js';
export type { ServiceIdentifier } from './engine.js';
export { openIdentifier } from '../identify/files.js';
export type { OpenIdentifierOptions } from '../identify/files.js';
export { queriesFromJson, queriesFromFasta, RequestError } from './requests.js';
export type { ServiceQuery, QueryLimits, RequestErrorCode } from './requests.js';
export { PREDICTION_COLUMNS } from '../identify/predictions.js';
export type { PredictionRecord, PredictionColumn } from '../identify/predictions.js';
