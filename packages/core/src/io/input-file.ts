import { statSync } from 'node:fs';
import { Bioscan5mError } from '../errors.js';

/** Size of an input table file, or a clear error when it is missing, unreadable or a folder. */
export function inputFileSize(file: string): number {
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new Bioscan5mError(`${file}: is a directory, expected a CSV/TSV file`, 'BIOSCAN5M_IO');
    return st.size;
  } catch (err) {
    if (err instanceof Bioscan5mError) throw err;
    throw new Bioscan5mError(
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'BIOSCAN5M_IO',
    );
  }
}
