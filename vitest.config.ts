import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Two projects: the distributed tests start several processes that talk over loopback ports and hold the machine's
// cores, and twice failed only when other test files ran beside them ("connection to a peer was lost"); they run
// after everything else, one file at a time.
const DISTRIBUTED = ['test/distributed*.test.ts'];

export default defineConfig({
  resolve: { alias: { 'mlx-nuts': fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: DISTRIBUTED, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'distributed', include: DISTRIBUTED, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
