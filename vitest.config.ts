import { defineConfig } from 'vitest/config'
import { LongestFirstSequencer } from './test/longestFirstSequencer.js'

// Tests run on sources: workspace packages resolve through their "typescript" export condition.
const conditions = ['typescript', 'import', 'module', 'node', 'default']

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['import', 'node', 'default'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest runs one file at a time on 2 cores (one fewer than the cores). Many files wait on child
    // processes, worker threads and the disk, so two at a time use the second core: CI measured
    // about 1.45 busy cores with one. Tests hold under load (none assumes a quiet machine).
    maxWorkers: 2,
    minWorkers: 1,
    // Files share their fork's module cache instead of importing ethereumjs and our packages afresh
    // each (about 1.5 s of CPU a file, 150 s a run). Tests keep no state between files: every one
    // builds its own schedulers, states and pools and closes them, and environment changes are undone.
    poolOptions: { forks: { isolate: false } },
    sequence: { sequencer: LongestFirstSequencer },
  },
})
