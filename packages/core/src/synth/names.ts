/**
 * Name material for synthetic BIOSCAN-5M taxonomies: real class/order names with their approximate BIOSCAN-5M
 * sample shares, real family names for the big orders, and pseudo-Latin generators for the rest.
 */
import type { Rng } from '../rng.js';

/** [class, share of samples, orders as [name, share within class]]: shares follow the paper's Fig. A3/Table A5. */
export const CLASSES: Array<[string, number, Array<[string, number]>]> = [
  [
    'Insecta',
    0.978,
    [
      ['Diptera', 0.73],
      ['Hymenoptera', 0.12],
      ['Hemiptera', 0.045],
      ['Lepidoptera', 0.04],
      ['Coleoptera', 0.03],
      ['Psocodea', 0.014],
      ['Thysanoptera', 0.008],
      ['Trichoptera', 0.004],
      ['Orthoptera', 0.002],
      ['Neuroptera', 0.001],
      ['Blattodea', 0.0008],
      ['Ephemeroptera', 0.0006],
      ['Plecoptera', 0.0004],
      ['Odonata', 0.0002],
      ['Mantodea', 0.0002],
      ['Dermaptera', 0.0002],
      ['Strepsiptera', 0.0002],
      ['Megaloptera', 0.0001],
      ['Mecoptera', 0.0001],
      ['Archaeognatha', 0.0001],
      ['Zygentoma', 0.00005],
      ['Raphidioptera', 0.00005],
      ['Embioptera', 0.00005],
      ['Phasmida', 0.00003],
      ['Siphonaptera', 0.00002],
    ],
  ],
  [
    'Arachnida',
    0.015,
    [
      ['Trombidiformes', 0.4],
      ['Sarcoptiformes', 0.3],
      ['Araneae', 0.2],
      ['Mesostigmata', 0.08],
      ['Opiliones', 0.01],
      ['Pseudoscorpiones', 0.006],
      ['Ixodida', 0.003],
      ['Scorpiones', 0.001],
    ],
  ],
  [
    'Collembola',
    0.005,
    [
      ['Entomobryomorpha', 0.7],
      ['Symphypleona', 0.2],
      ['Poduromorpha', 0.09],
      ['Neelipleona', 0.01],
    ],
  ],
  [
    'Malacostraca',
    0.0008,
    [
      ['Isopoda', 0.6],
      ['Amphipoda', 0.35],
      ['Decapoda', 0.049],
      ['Cumacea', 0.001],
    ],
  ],
  [
    'Diplopoda',
    0.0006,
    [
      ['Polydesmida', 0.5],
      ['Julida', 0.3],
      ['Spirobolida', 0.15],
      ['Polyxenida', 0.05],
    ],
  ],
  [
    'Chilopoda',
    0.0003,
    [
      ['Geophilomorpha', 0.5],
      ['Lithobiomorpha', 0.4],
      ['Scolopendromorpha', 0.1],
    ],
  ],
  [
    'Branchiopoda',
    0.0001,
    [
      ['Diplostraca', 0.9],
      ['Anostraca', 0.1],
    ],
  ],
  [
    'Copepoda',
    0.00006,
    [
      ['Cyclopoida', 0.7],
      ['Harpacticoida', 0.3],
    ],
  ],
  ['Pauropoda', 0.00003, [['Tetramerocerata', 1]]],
  ['Ostracoda', 0.000002, [['Podocopida', 1]]],
];

/** Real families of the big orders, biggest first (Cecidomyiidae is the paper's most populated family). */
export const FAMILIES: Record<string, string[]> = {
  Diptera: [
    'Cecidomyiidae',
    'Phoridae',
    'Chironomidae',
    'Sciaridae',
    'Ceratopogonidae',
    'Psychodidae',
    'Muscidae',
    'Dolichopodidae',
    'Empididae',
    'Mycetophilidae',
    'Chloropidae',
    'Sphaeroceridae',
    'Tachinidae',
    'Drosophilidae',
    'Agromyzidae',
    'Hybotidae',
    'Culicidae',
    'Simuliidae',
    'Limoniidae',
    'Syrphidae',
  ],
  Hymenoptera: [
    'Platygastridae',
    'Braconidae',
    'Ichneumonidae',
    'Diapriidae',
    'Mymaridae',
    'Eulophidae',
    'Encyrtidae',
    'Scelionidae',
    'Ceraphronidae',
    'Figitidae',
    'Formicidae',
    'Pteromalidae',
    'Trichogrammatidae',
  ],
  Hemiptera: ['Cicadellidae', 'Aphididae', 'Psyllidae', 'Miridae', 'Delphacidae', 'Triozidae'],
  Lepidoptera: ['Erebidae', 'Geometridae', 'Crambidae', 'Noctuidae', 'Gelechiidae', 'Tortricidae', 'Depressariidae'],
  Coleoptera: ['Staphylinidae', 'Curculionidae', 'Chrysomelidae', 'Ptiliidae', 'Nitidulidae', 'Latridiidae'],
};

const ONSETS = [
  'b',
  'c',
  'd',
  'g',
  'l',
  'm',
  'n',
  'p',
  'ph',
  'r',
  's',
  't',
  'th',
  'x',
  'z',
  'ch',
  'st',
  'tr',
  'pl',
  'cr',
  'gl',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'y', 'ae', 'io'];
const GENUS_ENDINGS = ['a', 'us', 'ia', 'ella', 'omyia', 'oides', 'ops', 'ina', 'ax', 'ura', 'ix', 'ocera', 'ites'];
const EPITHET_ENDINGS = ['ensis', 'us', 'a', 'um', 'i', 'ae', 'ata', 'atus', 'oides', 'ica', 'icus', 'ella', 'ipes'];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(0, xs.length - 1)];
}

function stem(rng: Rng, syllables: number): string {
  let s = '';
  for (let i = 0; i < syllables; i++) s += pick(rng, ONSETS) + pick(rng, VOWELS);
  return s;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Draws names until one is new to `used` (names are unique across the whole taxonomy). */
export function uniqueName(rng: Rng, used: Set<string>, make: (rng: Rng) => string): string {
  for (let attempt = 0; ; attempt++) {
    let name = make(rng);
    if (attempt > 20) name += pick(rng, ONSETS) + pick(rng, VOWELS);
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
  }
}

export const familyName = (rng: Rng) => cap(stem(rng, rng.int(2, 3))) + 'idae';
export const subfamilyFrom = (family: string) => family.replace(/idae$/, 'inae');
export const subfamilyName = (rng: Rng) => cap(stem(rng, rng.int(2, 3))) + 'inae';
export const genusName = (rng: Rng) => cap(stem(rng, rng.int(1, 3)) + pick(rng, GENUS_ENDINGS));
export const epithet = (rng: Rng) => stem(rng, rng.int(1, 3)) + pick(rng, EPITHET_ENDINGS);

/** An unnamed genus as BIOSCAN annotators write them: "chalMalaise9590", "gelBioLep01", "microMalaise01". */
export function placeholderGenusName(rng: Rng): string {
  const prefix = stem(rng, rng.int(1, 2)).slice(0, rng.int(3, 5));
  return rng.random() < 0.7
    ? `${prefix}Malaise${String(rng.int(1, 9999)).padStart(rng.random() < 0.5 ? 2 : 4, '0')}`
    : `${prefix}BioLep${String(rng.int(1, 99)).padStart(2, '0')}`;
}

const CODE_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ';

function code(rng: Rng): string {
  let s = '';
  const letters = rng.int(1, 3);
  if (rng.random() < 0.5) s += String(rng.int(1, 99));
  for (let i = 0; i < letters; i++) s += CODE_CHARS[rng.int(0, CODE_CHARS.length - 1)];
  if (rng.random() < 0.6) s += String(rng.int(1, 99));
  return s;
}

/** A BOLD BIN URI such as "BOLD:ACN5814". */
export function binUri(n: number): string {
  let letters = '';
  let k = Math.floor(n / 10000);
  for (let i = 0; i < 3; i++) {
    letters = String.fromCharCode(65 + (k % 26)) + letters;
    k = Math.floor(k / 26);
  }
  return `BOLD:${letters}${String(n % 10000).padStart(4, '0')}`;
}

/**
 * An interim species name in the formats of Table A8: "Orthocentrus Malaise5315", "Anastatus sp. GG28",
 * "Aristotelia BioLep531", "Phytomyptera Janzen3550", "Megaselia BOLD:ACN5814", "Zatypota alborhombartaDHJ03".
 */
export function placeholderSpeciesName(rng: Rng, genus: string, bin: string): string {
  const u = rng.random();
  if (u < 0.4) return `${genus} Malaise${String(rng.int(1, 9999)).padStart(4, '0')}`;
  if (u < 0.6) return `${genus} sp. ${code(rng)}`;
  if (u < 0.7) return `${genus} BioLep${rng.int(100, 9999)}`;
  if (u < 0.8) return `${genus} Janzen${rng.int(1000, 9999)}`;
  if (u < 0.85) return `${genus} Whitfield${rng.int(10, 999)}`;
  if (u < 0.93) return `${genus} ${bin}`;
  return `${genus} ${epithet(rng)}DHJ${String(rng.int(1, 9)).padStart(2, '0')}`;
}

/** Collection sites: [country, share, provinces as [name, lat, lon]] (Costa Rica holds over 62% in the paper). */
export const COUNTRIES: Array<[string, number, Array<[string, number, number]>]> = [
  [
    'Costa Rica',
    0.62,
    [
      ['Guanacaste', 10.84, -85.61],
      ['Alajuela', 10.9, -85.0],
      ['Puntarenas', 8.97, -83.3],
      ['Limon', 10.0, -83.2],
      ['San Jose', 9.6, -83.8],
    ],
  ],
  [
    'Canada',
    0.1,
    [
      ['Ontario', 43.55, -80.22],
      ['British Columbia', 49.3, -123.1],
      ['Quebec', 45.9, -73.4],
      ['Alberta', 51.1, -114.2],
      ['Manitoba', 58.7, -94.1],
    ],
  ],
  [
    'South Africa',
    0.08,
    [
      ['Western Cape', -33.9, 18.9],
      ['Limpopo', -23.9, 30.4],
      ['KwaZulu-Natal', -28.6, 31.1],
    ],
  ],
  [
    'Pakistan',
    0.05,
    [
      ['Punjab', 31.5, 74.3],
      ['Khyber Pakhtunkhwa', 34.0, 71.6],
    ],
  ],
  [
    'Thailand',
    0.03,
    [
      ['Chiang Mai', 18.8, 98.9],
      ['Nan', 18.8, 100.8],
    ],
  ],
  [
    'Australia',
    0.025,
    [
      ['Australian Capital Territory', -35.28, 149.1],
      ['Queensland', -17.3, 145.5],
    ],
  ],
  ['Kenya', 0.02, [['Kakamega', 0.28, 34.86]]],
  ['Madagascar', 0.015, [['Toamasina', -18.9, 48.4]]],
  ['Germany', 0.012, [['Bavaria', 48.0, 11.5]]],
  ['Argentina', 0.01, [['Misiones', -26.0, -54.0]]],
  ['Papua New Guinea', 0.008, [['Madang', -5.2, 145.7]]],
  ['Saudi Arabia', 0.006, [['Asir', 18.2, 42.5]]],
  ['Finland', 0.005, [['Lapland', 68.9, 27.0]]],
  ['Norway', 0.004, [['Innlandet', 61.1, 10.4]]],
  ['Brazil', 0.004, [['Amazonas', -3.1, -60.0]]],
  ['Ecuador', 0.003, [['Napo', -0.99, -77.8]]],
  ['Egypt', 0.002, [['Sinai', 28.5, 33.9]]],
  ['Bulgaria', 0.001, [['Sofia', 42.7, 23.3]]],
  ['Tanzania', 0.0009, [['Morogoro', -6.8, 37.7]]],
  ['Greenland', 0.0001, [['Kujalleq', 60.7, -46.0]]],
];
