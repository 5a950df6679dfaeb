import { defineConfig, type Options } from 'tsup'

/** The one place build flags live: every package's tsup.config.ts calls this. */
export function packageBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    ...overrides,
  })
}
