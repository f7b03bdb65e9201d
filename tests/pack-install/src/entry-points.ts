// What a package.json promises a user can load: the files its fields name and its export subpaths.
import type { Manifest } from './consumer.js';

/** Every file path the manifest points at (main, module, types, bin, each exports target), without "./". */
export function manifestFiles(m: Manifest): string[] {
  const out = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string') {
      if (!value.includes('*')) out.add(value.replace(/^\.\//, ''));
    } else if (value && typeof value === 'object') {
      for (const v of Object.values(value)) add(v);
    }
  };
  add(m.main);
  add(m.module);
  add(m.types);
  add(m.bin);
  add(m.exports);
  return [...out].sort();
}

/** The import specifiers of a package's code entry points ("@x/y", "@x/y/sub"), with the conditions each offers. */
export function exportSpecifiers(m: Manifest): { specifier: string; esm: boolean; cjs: boolean }[] {
  const name = m.name ?? '';
  const exp = m.exports;
  if (exp === undefined) return m.main ? [{ specifier: name, esm: true, cjs: true }] : [];
  const map: Record<string, unknown> =
    typeof exp === 'string' || Object.keys(exp as object).every((k) => !k.startsWith('.'))
      ? { '.': exp }
      : (exp as Record<string, unknown>);
  return Object.entries(map)
    .filter(([sub]) => !sub.includes('*') && !sub.endsWith('.json'))
    .map(([sub, target]) => {
      const esm = resolveTarget(target, ['node', 'import']);
      const cjs = resolveTarget(target, ['node', 'require']);
      return {
        specifier: sub === '.' ? name : `${name}/${sub.slice(2)}`,
        esm: esm !== undefined && !/\.d\.c?ts$/.test(esm),
        cjs: cjs !== undefined && !/\.d\.c?ts$/.test(cjs),
      };
    });
}

/** Node's resolution of an exports target under the given conditions ("default" always matches). */
export function resolveTarget(target: unknown, conditions: string[]): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = resolveTarget(t, conditions);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (target && typeof target === 'object') {
    for (const [key, value] of Object.entries(target)) {
      if (key !== 'default' && !conditions.includes(key)) continue;
      const r = resolveTarget(value, conditions);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}
