/** Paths shared by the tests: committed goldens and the real data beside the repository (../shared/data). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PKG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO_ROOT = path.resolve(PKG_DIR, '../..');
export const SHARED_DATA = path.resolve(REPO_ROOT, '../shared/data');
export const BARCODES_CSV = path.join(SHARED_DATA, 'dna', 'coi_barcodes.csv');
export const hasSharedData = existsSync(BARCODES_CSV);

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(PKG_DIR, 'fixtures', name), 'utf8')) as T;
}
