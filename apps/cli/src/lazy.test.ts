/**
 * Start-up: `bioscan5m --help` (and building the program) imports no heavy package; each is imported when its
 * command runs. A mocked module throws as soon as anything imports it.
 */
import { describe, expect, it, vi } from 'vitest';
import { runCli } from './test-support.js';

const { loaded, refuse } = vi.hoisted(() => {
  const loaded: string[] = [];
  const refuse = (name: string) => () => {
    loaded.push(name);
    throw new Error(`${name} imported at start-up`);
  };
  return { loaded, refuse };
});
vi.mock('@bioscan5m/vision', refuse('@bioscan5m/vision'));
vi.mock('@bioscan5m/cluster', refuse('@bioscan5m/cluster'));
vi.mock('@bioscan5m/dna', refuse('@bioscan5m/dna'));
vi.mock('@bioscan5m/clip', refuse('@bioscan5m/clip'));
vi.mock('sharp', refuse('sharp'));
vi.mock('onnxruntime-node', refuse('onnxruntime-node'));
vi.mock('umap-js', refuse('umap-js'));

describe('start-up', () => {
  it('--help and every command help load none of vision, cluster, dna, clip, sharp, onnxruntime, umap-js', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('vision');
    for (const cmd of [['vision', 'crop'], ['vision', 'embed'], ['vision', 'train'], ['cluster']]) {
      const h = await runCli([...cmd, '--help']);
      expect(h.out).toContain('Example');
    }
    expect(loaded).toEqual([]);
  });

  it('a vision command imports the vision package when it runs', async () => {
    const r = await runCli(['vision', 'quality', '--images', '.', '--out', 'q.csv']);
    expect(r.code).not.toBe(0);
    expect(loaded).toEqual(['@bioscan5m/vision']);
  });
});
