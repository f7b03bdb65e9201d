import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.js';

describe('initBackend', () => {
  it('picks the native or wasm backend, honours a preference and keeps it', async () => {
    const best = await initBackend();
    expect(['tensorflow', 'wasm']).toContain(best);
    expect(tf.getBackend()).toBe(best);
    expect(await initBackend({ prefer: 'cpu' })).toBe('cpu');
    expect(await initBackend()).toBe('cpu');
    expect(await initBackend({ prefer: 'wasm' })).toBe('wasm');
  });
});
