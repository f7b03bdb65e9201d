/**
 * The fine-tuning schedule: linear warm-up to the peak, then cosine decay to `floor` x peak (the shape of
 * transformers' get_cosine_schedule_with_warmup). Fine-tuning uses it instead of pretraining's OneCycle because
 * the head and the encoder get different peaks and the head starts from the linear probe (no long ramp needed).
 */
export interface WarmupCosineOptions {
  peak: number;
  totalSteps: number;
  /** Steps of linear warm-up (from peak / totalWarmup to peak). */
  warmupSteps: number;
  /** Final learning rate as a share of the peak (default 0.01). */
  floor?: number;
}

/** Learning rate at `step` (0-based). */
export function warmupCosineLr(step: number, o: WarmupCosineOptions): number {
  if (o.warmupSteps > 0 && step < o.warmupSteps) return (o.peak * (step + 1)) / o.warmupSteps;
  const span = Math.max(1, o.totalSteps - o.warmupSteps - 1);
  const frac = Math.min(1, Math.max(0, (step - o.warmupSteps) / span));
  const floor = o.peak * (o.floor ?? 0.01);
  return floor + ((o.peak - floor) / 2) * (1 + Math.cos(Math.PI * frac));
}
