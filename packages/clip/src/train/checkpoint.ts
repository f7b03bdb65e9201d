/**
 * Alignment checkpoints: projection heads, logit scale, optimizer moments, step, loss history and the run's
 * settings in one safetensors file (readable by Python's safetensors), written atomically.
 */
import { Bioscan5mError, type Modality } from '@bioscan5m/core';
import { loadOptional } from '@bioscan5m/core';
import type { NamedArray } from '@bioscan5m/dna/model';

// The safetensors codec lives in @bioscan5m/dna/model, whose entry loads tfjs: loaded on first use.
const codec = () => loadOptional('@tensorflow/tfjs', 'clip checkpoints', () => import('@bioscan5m/dna/model'));
import type { ClipHeads } from './heads.js';

const FORMAT = 'bioscan5m-clip-heads/1';

export interface ClipCheckpoint {
  heads: ClipHeads;
  step: number;
  /** AdamW moments by name ("m:NAME", "v:NAME") and step counts. */
  optimizer: Map<string, NamedArray>;
  losses: number[];
  /** The training settings (resume refuses different ones). */
  train: Record<string, unknown>;
  /** Anything else the run records (how text features were made, where the data came from). */
  meta?: Record<string, unknown>;
  /** LoRA adapters of the DNA encoder (`layer{l}.{q|v}.{A|B}`) and their rank/alpha. */
  lora?: { rank: number; alpha: number; tensors: Map<string, NamedArray> };
}

export async function saveClipCheckpoint(file: string, ck: ClipCheckpoint): Promise<void> {
  const { writeSafetensors } = await codec();
  const tensors = new Map<string, NamedArray>();
  for (const [m, h] of Object.entries(ck.heads.heads)) {
    tensors.set(`head/${m}.w`, { data: h.w, shape: [h.inDim, ck.heads.dim] });
    tensors.set(`head/${m}.b`, { data: h.b, shape: [ck.heads.dim] });
  }
  tensors.set('logit_scale', { data: Float32Array.of(ck.heads.logitScale), shape: [] });
  for (const [name, t] of ck.optimizer) tensors.set(`optim/${name}`, t);
  if (ck.lora) for (const [name, t] of ck.lora.tensors) tensors.set(`lora/${name}`, t);
  writeSafetensors(file, tensors, {
    format: FORMAT,
    dim: String(ck.heads.dim),
    modalities: Object.keys(ck.heads.heads).join(','),
    step: String(ck.step),
    losses: JSON.stringify(ck.losses),
    train: JSON.stringify(ck.train),
    meta: JSON.stringify(ck.meta ?? {}),
    ...(ck.lora ? { lora: JSON.stringify({ rank: ck.lora.rank, alpha: ck.lora.alpha }) } : {}),
  });
}

export async function loadClipCheckpoint(file: string): Promise<ClipCheckpoint> {
  const { readSafetensors } = await codec();
  const { tensors, metadata } = readSafetensors(file);
  if (metadata.format !== FORMAT)
    throw new Bioscan5mError(
      `${file}: not a bioscan5m clip checkpoint (format ${metadata.format ?? 'missing'})`,
      'BIOSCAN5M_INPUT',
    );
  const dim = Number(metadata.dim);
  const heads: ClipHeads = { dim, heads: {}, logitScale: (tensors.get('logit_scale')?.data as Float32Array)[0] };
  for (const m of metadata.modalities.split(',').filter(Boolean) as Modality[]) {
    const w = tensors.get(`head/${m}.w`);
    const b = tensors.get(`head/${m}.b`);
    if (!w || !b) throw new Bioscan5mError(`${file}: the ${m} head is incomplete`, 'BIOSCAN5M_INPUT');
    heads.heads[m] = { modality: m, inDim: w.shape[0], w: w.data as Float32Array, b: b.data as Float32Array };
  }
  const optimizer = new Map<string, NamedArray>();
  for (const [name, t] of tensors) if (name.startsWith('optim/')) optimizer.set(name.slice(6), t);
  let lora: ClipCheckpoint['lora'];
  if (metadata.lora) {
    const s = JSON.parse(metadata.lora) as { rank: number; alpha: number };
    lora = {
      ...s,
      tensors: new Map([...tensors].filter(([n]) => n.startsWith('lora/')).map(([n, t]) => [n.slice(5), t])),
    };
  }
  return {
    heads,
    step: Number(metadata.step),
    optimizer,
    losses: JSON.parse(metadata.losses ?? '[]'),
    train: JSON.parse(metadata.train ?? '{}'),
    meta: JSON.parse(metadata.meta ?? '{}'),
    lora,
  };
}
