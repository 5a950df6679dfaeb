import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: { conditions: ['typescript'] },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
})
