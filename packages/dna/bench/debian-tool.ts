/**
 * Reference tools for the benchmark scripts (never the library) come from Debian: installed with apt-get when
 * missing (sudo when not root; `apt-get update` first only if the install fails), saying so.
 */
import { spawnSync } from 'node:child_process';

/** True when `bin versionArg` runs, after installing Debian package `pkg` if it did not; says when it stays absent. */
export function ensureDebianTool(bin: string, versionArg: string, pkg: string): boolean {
  const has = () => spawnSync(bin, [versionArg]).status === 0;
  if (has()) return true;
  console.log(`installing ${pkg} (Debian) for the reference figures ...`);
  const aptGet = (...a: string[]) =>
    process.getuid?.() === 0
      ? spawnSync('apt-get', a, { stdio: 'inherit' })
      : spawnSync('sudo', ['apt-get', ...a], { stdio: 'inherit' });
  if (aptGet('install', '-y', pkg).status !== 0) {
    aptGet('update');
    aptGet('install', '-y', pkg);
  }
  if (!has()) console.log(`${bin} unavailable: its reference figures are left out`);
  return has();
}
