/** Paths of the embedded demo data shipped with the CLI (see data/ATTRIBUTION.md). */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const EMBEDDED_DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url));

export const embedded = {
  metadata: path.join(EMBEDDED_DATA_DIR, 'metadata.csv'),
  barcodes: path.join(EMBEDDED_DATA_DIR, 'barcodes.csv'),
  bioscan1m: path.join(EMBEDDED_DATA_DIR, 'bioscan1m_sample.tsv'),
  images: path.join(EMBEDDED_DATA_DIR, 'images'),
  imagesCoco: path.join(EMBEDDED_DATA_DIR, 'images', 'coco_annotations.json'),
};
