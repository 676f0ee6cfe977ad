// checkOutput: the output directory is validated before sampling (created level by level, probed, no special
// filesystems, no file in the way, no silent overwrite), with errors that name the path.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkOutput } from '../src/io/outputCheck.ts';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'mlx-nuts-outcheck-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

const opts = { chains: 2, modelName: 'eight schools' };

describe('checkOutput', () => {
  it('creates missing directories one level at a time, leaves no probe file, and plans one file per chain', () => {
    const out = join(dir, 'a', 'b', 'c');
    const plan = checkOutput(out, opts);
    expect(plan.created).toEqual([join(dir, 'a'), join(dir, 'a', 'b'), out]);
    expect(plan.paths).toEqual([join(out, 'eight_schools-1.csv'), join(out, 'eight_schools-2.csv')]);
    expect(readdirSync(out)).toEqual([]);
    expect(checkOutput(out, opts).created).toEqual([]);
  });

  it('refuses /proc, /sys and /dev at once, also through a symbolic link, naming the path', () => {
    const t0 = performance.now();
    expect(() => checkOutput('/proc/self/mlx-nuts-out', opts)).toThrow(/^\[sample\] output directory \/proc\/self\/mlx-nuts-out is under \/proc, a kernel filesystem/);
    expect(() => checkOutput('/sys/kernel/x', opts)).toThrow(/is under \/sys/);
    expect(() => checkOutput('/dev/shm/x', { ...opts, fn: 'writeStanCsv' })).toThrow(/^\[writeStanCsv\] output directory \/dev\/shm\/x is under \/dev/);
    symlinkSync('/proc/self', join(dir, 'link'));
    expect(() => checkOutput(join(dir, 'link', 'out'), opts)).toThrow(/output directory .*link\/out leads into \/proc/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('refuses a file where the directory or one of its parents should be', () => {
    writeFileSync(join(dir, 'f'), 'x');
    expect(() => checkOutput(join(dir, 'f'), opts)).toThrow(/^\[sample\] output directory .*\/f exists and is not a directory/);
    expect(() => checkOutput(join(dir, 'f', 'sub', 'deeper'), opts)).toThrow(/^\[sample\] output directory .*f\/sub\/deeper cannot be created: .*\/f is a file, not a directory/);
    expect(() => checkOutput('', opts)).toThrow(/^\[sample\] output directory must be a non-empty path, got ""/);
  });

  it('lists every chain file that would be overwritten, and allows it with overwrite', () => {
    writeFileSync(join(dir, 'eight_schools-1.csv'), 'old');
    writeFileSync(join(dir, 'eight_schools-2.csv'), 'old');
    expect(() => checkOutput(dir, opts)).toThrow(
      /^\[sample\] output files .*eight_schools-1\.csv, .*eight_schools-2\.csv already exist; pass \{ overwrite: true \} \(on the command line --overwrite\) to replace them/,
    );
    expect(checkOutput(dir, { ...opts, overwrite: true }).replaced).toHaveLength(2);
    mkdirSync(join(dir, 'x'));
    mkdirSync(join(dir, 'x', 'm-1.csv'));
    expect(() => checkOutput(join(dir, 'x'), { chains: 1, modelName: 'm', overwrite: true })).toThrow(/^\[sample\] output file .*m-1\.csv is a directory/);
  });

  it('finds a directory it cannot write to with its probe file', () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    // as root, permissions do not stop writes; the immutable attribute does (ext4 and most Linux filesystems)
    const root = process.getuid?.() === 0;
    if (root) execFileSync('chattr', ['+i', ro]);
    else chmodSync(ro, 0o555);
    try {
      expect(() => checkOutput(ro, opts)).toThrow(/^\[sample\] output directory .*\/ro is not writable: a probe file could not be written and removed \((EPERM|EACCES)/);
      expect(() => checkOutput(join(ro, 'sub'), opts)).toThrow(/^\[sample\] output directory .*ro\/sub cannot be created: mkdir .* failed \((EPERM|EACCES)/);
    } finally {
      if (root) execFileSync('chattr', ['-i', ro]);
      else chmodSync(ro, 0o755);
    }
    expect(existsSync(join(ro, 'sub'))).toBe(false);
  });
});
