import { describe, expect, it } from 'vitest';
import { buildProgram } from './cli.js';
import { VERSION } from './version.js';

describe('bioscan5m program', () => {
  it('has a version and the demo command', () => {
    const program = buildProgram();
    expect(program.version()).toBe(VERSION);
    expect(program.commands.map((c) => c.name())).toContain('demo');
  });
});
