#!/usr/bin/env python3
"""Builds the small embedded demo data in apps/cli/data from ../shared/data (stdlib only).

Run from the repository root: python3 scripts/make-embedded-data.py [SHARED_DATA_DIR]
Deterministic: the same input gives the same files.
"""
import csv, json, os, random, shutil, sys, collections

shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join('..', 'shared', 'data')
out = os.path.join('apps', 'cli', 'data')
os.makedirs(os.path.join(out, 'images'), exist_ok=True)
rnd = random.Random(20241)

# --- DNA barcodes: insect species from genera with several species, so identification is non-trivial.
rows = list(csv.DictReader(open(os.path.join(shared, 'dna', 'coi_barcodes.csv'), newline='')))
fields = list(rows[0].keys())
insects = [r for r in rows if r['class'] == 'Insecta' and r['genus'] and r['species']]
by_species = collections.defaultdict(list)
for r in insects:
    by_species[r['species']].append(r)
by_genus = collections.defaultdict(set)
for sp, rs in by_species.items():
    if len(rs) >= 3:
        by_genus[rs[0]['genus']].add(sp)
keep = []
for genus in sorted(by_genus):
    if len(by_genus[genus]) < 2:
        continue
    for sp in sorted(by_genus[genus])[:6]:
        rs = sorted(by_species[sp], key=lambda r: r['record_id'])
        keep.extend(rs[:8])
# a few records labelled only above species (BIOSCAN-program AACTA rows) and non-insects as out-groups
others = sorted((r for r in rows if r['processid'].startswith('AACTA') and not r['species']), key=lambda r: r['record_id'])
keep.extend(others[:120])
outgroup = sorted((r for r in rows if r['class'] != 'Insecta' and r['species']), key=lambda r: r['record_id'])
keep.extend(rnd.sample(outgroup, 40))
keep.sort(key=lambda r: r['record_id'])
with open(os.path.join(out, 'barcodes.csv'), 'w', newline='') as f:
    w = csv.DictWriter(f, fieldnames=fields, lineterminator='\n')
    w.writeheader()
    w.writerows(keep)

# --- The same records in the BIOSCAN-5M metadata layout (23 columns; fields the source lacks stay empty).
meta_fields = ['processid', 'sampleid', 'taxon', 'phylum', 'class', 'order', 'family', 'subfamily', 'genus',
               'species', 'dna_bin', 'dna_barcode', 'country', 'province_state', 'coord-lat', 'coord-lon',
               'image_measurement_value', 'area_fraction', 'scale_factor', 'inferred_ranks', 'split',
               'index_bioscan_1M_insect', 'chunk']
with open(os.path.join(out, 'metadata.csv'), 'w', newline='') as f:
    w = csv.DictWriter(f, fieldnames=meta_fields, lineterminator='\n', extrasaction='ignore')
    w.writeheader()
    for r in keep:
        m = {k: r.get(k, '') for k in meta_fields}
        m['processid'] = r['processid'] or r['record_id'].split(':', 1)[1]
        w.writerow(m)

# --- BIOSCAN-1M metadata sample (TSV, verbatim rows).
lines = open(os.path.join(shared, 'bioscan1m', 'bioscan1m_sample_metadata.tsv')).read().splitlines()
body = lines[1:]
sel = sorted(rnd.sample(range(len(body)), 600))
with open(os.path.join(out, 'bioscan1m_sample.tsv'), 'w') as f:
    f.write('\n'.join([lines[0]] + [body[i] for i in sel]) + '\n')

# --- Microscope images: a few per quality label, with their COCO boxes and polygons.
img_dir = os.path.join(shared, 'images', 'bioscan_1024px')
manifest = list(csv.DictReader(open(os.path.join(img_dir, 'manifest.csv'), newline='')))
per_label = collections.defaultdict(list)
for r in manifest:
    per_label[r['quality_label']].append(r)
chosen = []
for label, want in [('valid', 8), ('empty', 3), ('blurry', 3), ('fragmented', 2)]:
    chosen.extend(sorted(per_label[label], key=lambda r: r['file_name'])[:want])
with open(os.path.join(out, 'images', 'manifest.csv'), 'w', newline='') as f:
    w = csv.DictWriter(f, fieldnames=list(manifest[0].keys()), lineterminator='\n')
    w.writeheader()
    w.writerows(chosen)
names = {r['file_name'] for r in chosen}
for n in names:
    shutil.copyfile(os.path.join(img_dir, n), os.path.join(out, 'images', n))
coco = json.load(open(os.path.join(img_dir, 'coco_annotations.json')))
ids = {im['id'] for im in coco['images'] if im['file_name'] in names}
coco['images'] = [im for im in coco['images'] if im['id'] in ids]
coco['annotations'] = [a for a in coco['annotations'] if a['image_id'] in ids]
json.dump(coco, open(os.path.join(out, 'images', 'coco_annotations.json'), 'w'))
print(f'barcodes/metadata: {len(keep)} rows; bioscan1m: {len(sel)} rows; images: {len(names)}')
