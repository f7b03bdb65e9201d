/**
 * Optional peer packages (tfjs, onnxruntime-node, faiss-node, ...): heavy engines a package needs only for some of
 * its functions. They are loaded on first use, never at import time, and a missing one becomes a
 * MissingDependencyError that names the package to install instead of a bare ERR_MODULE_NOT_FOUND.
 */
import { MissingDependencyError } from './errors.js';

/**
 * Loads an optional package through `load`, usually `() => import('onnxruntime-node')`. The import is written by
 * the caller so that it resolves from the calling package (where the peer dependency is declared) and bundlers see
 * a literal specifier.
 *
 * A missing `packageName`, or a missing package it needs in turn (a peer of a peer, e.g. @tensorflow/tfjs-core for
 * @tensorflow/tfjs-backend-wasm), throws MissingDependencyError naming the package to install; `neededFor` says
 * which feature asked ("ONNX export"). Any other failure (a broken install, an error in the package) is rethrown
 * unchanged.
 *
 * @example
 * const ort = await loadOptional('onnxruntime-node', 'ONNX embedding', () => import('onnxruntime-node'));
 */
export async function loadOptional<T>(packageName: string, neededFor: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const missing = missingPackage(err);
    if (missing !== undefined)
      throw new MissingDependencyError(
        missing,
        missing === packageName ? neededFor : `${neededFor} (through ${packageName})`,
      );
    throw err;
  }
}

/**
 * A memoised loadOptional: the returned function loads the package on its first call and returns the same promise
 * afterwards (a failed load is retried on the next call, so installing the package mid-session works).
 */
export function optionalPackage<T>(packageName: string, neededFor: string, load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= loadOptional(packageName, neededFor, load).catch((err: unknown) => {
      loading = undefined;
      throw err;
    }));
}

/**
 * The npm package name a module-not-found error is about, or undefined when the error is something else or names
 * a file (a relative or absolute path: a broken install, not a missing package).
 */
export function missingPackage(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  if (typeof message !== 'string') return undefined;
  const specifier = /Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1];
  // A path or URL (./x, /x, C:\x, file:///x, node:x) is a file, not a package: npm names hold no ':' and start
  // with neither '.' nor '/'.
  if (specifier === undefined || specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes(':'))
    return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Call before loading onnxruntime-node. Its native library starts Microsoft's 1DS telemetry, which keeps a device
 * id and an event database under ~/.cache/Microsoft/DeveloperTools; where HOME is not a writable folder it falls
 * back to an in-memory database whose session file, `:memory:.ses`, lands in the working directory (a stray file
 * next to the user's data). Telemetry stays off unless the user has set ORT_DISABLE_TELEMETRY themselves.
 * process.env writes the process environment, which the native library reads when it starts.
 */
export function onnxRuntimeDefaults(): void {
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
}
