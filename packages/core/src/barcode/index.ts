export {
  acgtCount,
  addBarcodeCounts,
  BARCODE_AMBIGUOUS,
  BARCODE_BASE,
  BARCODE_BYTE_CLASS,
  BARCODE_BYTE_CODES,
  BARCODE_GAP,
  BARCODE_INVALID,
  barcodeHash,
  barcodeHashBytes,
  barcodeKey,
  countBarcode,
  emptyBarcodeCounts,
  normalizeBarcode,
  type BarcodeCounts,
} from './rule.js';
export { BarcodeGroups } from './groups.js';
