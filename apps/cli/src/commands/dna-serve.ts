/**
 * `bioscan5m dna serve`: the local identification service (HTTP, JSON or FASTA in, JSON or CSV out). Argument
 * parsing, start-up and shutdown messages and signal handling only; the service is @bioscan5m/dna/serve.
 */
import { isIP } from 'node:net';
import { InvalidArgumentError, type Command } from 'commander';
import { embedded } from '../data.js';
import { intArg, numberArg, numberOption, pathArg } from '../options.js';
import { withProgressBar } from '../progress.js';
import { VERSION } from '../version.js';
import { addBuildOptions, identifierSource, type BuildOpts } from './dna-identify.js';

// The service entry (Fastify loaded inside it), imported when the command runs.
const serve = () => import('@bioscan5m/dna/serve');
const identify = () => import('@bioscan5m/dna/identify');

const WORKERS = { min: 1, max: 64 };
const PORT = { min: 0, max: 65535 };
const DEFAULT_PORT = 8080;

interface ServeOpts extends BuildOpts {
  reference?: string;
  index?: string;
  minConfidence?: number;
  openWorld?: boolean;
  port: number;
  host: string;
  workers?: number;
  maxBodyMb: number;
  maxQueries: number;
  quiet?: boolean;
}

/** --host: an IP address or a host name (letters, digits, dots, hyphens). */
function hostArg(value: string): string {
  if (isIP(value) || /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(value)) return value;
  throw new InvalidArgumentError('expected an IP address (127.0.0.1, ::1, 0.0.0.0) or a host name (localhost)');
}

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

export function registerDnaServeCommand(dna: Command): void {
  const cmd = dna
    .command('serve')
    .description(
      'local identification service: POST /identify with a JSON list of {id, sequence} or FASTA, answered with the ' +
        'rows `dna identify` writes for the same queries; GET /health. One index shared by worker threads',
    )
    .option('--index <file>', 'a saved index (`bioscan5m dna index`): loads in one read', pathArg)
    .option(
      '--reference <file>',
      'or a labelled reference CSV/TSV (as dna identify): indexed and calibrated at start-up (small references)',
      pathArg,
    )
    .option(
      '--open-world',
      'leave species empty for a query called novel (default: the nearest species of its voted genus, flagged ' +
        'novel; as dna identify)',
    )
    .option(
      '--min-confidence <p>',
      'leave the deepest rank empty when its confidence is below p, 0..1 (default 0; as dna identify)',
      numberArg({ min: 0, max: 1 }),
    )
    .option('--port <n>', `TCP port, 0 = any free port (default ${DEFAULT_PORT})`, intArg(PORT), DEFAULT_PORT)
    .option('--host <address>', 'interface to listen on (default 127.0.0.1: this machine only)', hostArg, '127.0.0.1')
    .option(
      '--workers <k>',
      'search worker threads, 1..64 (default: the cores, at most 8; 1 = the main thread)',
      intArg(WORKERS),
    )
    .option(
      '--max-body-mb <n>',
      'largest request body in MiB; larger: 413 (default 16)',
      intArg({ min: 1, max: 1024 }),
      16,
    )
    .option('--max-queries <n>', 'most queries in one request; more: 413 (default 10000)', intArg({ min: 1 }), 10_000)
    .option('--quiet', 'no progress bar while the index is built')
    .addHelpText(
      'after',
      `
Requests (answers in request order; errors are JSON {statusCode, error, code, message} naming the record):
  POST /identify  Content-Type application/json: [{"id": "q1", "sequence": "AACATTATATTTTATTTTTGG..."}, ...]
                  Content-Type text/x-fasta (or text/plain): >q1\\nAACATT...
                  -> {"results": [{record_id, phylum..species, confidence, novel, identity, nearest_record_id,
                     note}, ...]}, the columns of dna identify's predictions; Accept: text/csv gives that CSV.
                  400 invalid JSON or FASTA, empty sequence, a character that is no nucleotide code;
                  413 body over --max-body-mb or more than --max-queries queries; 415 other content types.
  GET  /health    status, index (records, distinct barcodes, k, species threshold), novelSpecies ("empty"
                  with --open-world, else "nearest"), workers, version.
SIGINT/SIGTERM stop it gracefully: no new connection, requests in flight are answered, then exit 0 (a second
signal exits at once). It listens on 127.0.0.1 unless --host says otherwise; it has no authentication.

The answers are those of \`dna identify\` with the same --index (or --reference and build flags), --open-world and
--min-confidence.

Example on the embedded sample data:
  bioscan5m dna index --reference ${embedded.barcodes} --out barcodes.idx
  bioscan5m dna serve --index barcodes.idx --port 8080
  # from another terminal:
  curl -s localhost:8080/identify -H 'content-type: application/json' \\
    -d '[{"id":"q1","sequence":"GGATTTGAGCTGGATAGTAGGAACTTCATTAAGATTATTAATTCGTGCTGAATTAGGCACCCCTGGATCTTTAATCGGAGATGATCAAATTTACAATACTATTG"}]'`,
    );
  addBuildOptions(cmd).action(async (opts: ServeOpts) => {
    const source = identifierSource(opts);
    const minConfidence = numberOption('min-confidence', opts.minConfidence, { min: 0, max: 1 });
    const novelSpecies = opts.openWorld ? 'empty' : 'nearest';
    const { startIdentifyServer, openIdentifier } = await serve();
    const threads =
      numberOption('workers', opts.workers, { integer: true, ...WORKERS }) ?? (await identify()).defaultThreads();
    const t0 = performance.now();
    const identifier = await withProgressBar('calibrating on the reference', { quiet: opts.quiet }, (onProgress) =>
      openIdentifier({ ...source, minConfidence, novelSpecies, threads, onProgress }),
    );
    const loadSeconds = (performance.now() - t0) / 1000;
    let server;
    try {
      server = await startIdentifyServer({
        identifier,
        host: opts.host,
        port: opts.port,
        bodyLimit: opts.maxBodyMb * 1024 * 1024,
        maxQueries: opts.maxQueries,
        about: { source: opts.index ?? opts.reference, version: VERSION },
      });
    } catch (err) {
      await identifier.close();
      throw err;
    }
    const signal = new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    const info = identifier.info;
    console.log(`bioscan5m dna serve: listening on ${server.url}`);
    console.log(
      `${opts.index ? 'index' : 'reference'}: ${opts.index ?? opts.reference}: ${info.referenceRecords.toLocaleString('en-US')} records, ` +
        `${info.referenceBarcodes.toLocaleString('en-US')} distinct barcodes, k=${info.k}, species threshold ` +
        `${(100 * info.speciesThreshold).toFixed(2)}% (${info.thresholdSource}); ready in ${loadSeconds.toFixed(2)} s`,
    );
    console.log(
      `search: ${identifier.threads ? `${identifier.threads} worker threads` : 'the main thread'}; limits: ` +
        `${opts.maxBodyMb} MiB body, ${opts.maxQueries.toLocaleString('en-US')} queries per request; species of ` +
        `a query called novel: ${opts.openWorld ? 'empty (--open-world)' : 'the nearest in its genus'}`,
    );
    console.log('POST /identify (JSON list of {id, sequence}, or FASTA), GET /health; Ctrl-C stops');
    const sig = await signal;
    // A second signal: stop now, without waiting for the requests in flight.
    process.once(sig, () => process.exit(SIGNAL_EXIT[sig as keyof typeof SIGNAL_EXIT] ?? 1));
    console.log(`${sig}: no new requests; answering the ${server.inFlight} in flight, then stopping`);
    await server.close();
    await identifier.close();
    console.log('stopped');
  });
}
