// The package's root folder (holding package.json and native/), found from this file's location.
import { EngineError } from '../base/errors.ts';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'native'))) {
    const up = dirname(dir);
    if (up === dir) throw new EngineError('[mlx-nuts] cannot find the package root (a folder with package.json and native/)');
    dir = up;
  }
  cached = dir;
  return dir;
}
