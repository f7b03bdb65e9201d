/** The OneCycle learning-rate schedule (torch.optim.lr_scheduler.OneCycleLR, cosine annealing); no tfjs. */
export interface OneCycleOptions {
  maxLr: number;
  totalSteps: number;
  pctStart?: number;
  divFactor?: number;
  finalDivFactor?: number;
}

/** Learning rate at `step` (0-based), as OneCycleLR(anneal_strategy='cos', three_phase=False). */
export function oneCycleLr(step: number, o: OneCycleOptions): number {
  const pct = o.pctStart ?? 0.3;
  const initial = o.maxLr / (o.divFactor ?? 25);
  const minLr = initial / (o.finalDivFactor ?? 1e4);
  const upEnd = pct * o.totalSteps - 1;
  const downEnd = o.totalSteps - 1;
  const cos = (start: number, end: number, frac: number) => end + ((start - end) / 2) * (1 + Math.cos(Math.PI * frac));
  if (step <= upEnd) return cos(initial, o.maxLr, upEnd <= 0 ? 1 : step / upEnd);
  return cos(o.maxLr, minLr, Math.min(1, (step - upEnd) / Math.max(downEnd - upEnd, 1e-12)));
}
