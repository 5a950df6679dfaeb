import { relative } from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import expectedSeconds from './expectedDurations.json' with { type: 'json' }

// A file nobody has timed yet: about the median of the table.
const UNKNOWN_SECONDS = 5

/**
 * Runs the longest test files first, so the two vitest workers finish together instead of one
 * running a two-minute file alone at the end. Vitest does this itself from its cache of earlier
 * runs, but a fresh clone (CI) has no cache and falls back to file size, which put long files
 * last. So durations come from this machine's cache when there is one, else from
 * `expectedDurations.json`, seconds per file from a full run (refresh it from
 * `node_modules/.vite/vitest/<hash>/results.json` when files are added or change much).
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache
    const table = expectedSeconds as Record<string, number>
    const ranked = files.map((spec) => {
      const path = relative(this.ctx.config.root, spec.moduleId)
      const cached = cache.getFileTestResults(`${spec.project.name}:${path}`)
      return { spec, failed: cached?.failed === true, ms: cached?.duration ?? (table[path] ?? UNKNOWN_SECONDS) * 1000 }
    })
    ranked.sort((a, b) => Number(b.failed) - Number(a.failed) || b.ms - a.ms)
    return ranked.map(({ spec }) => spec)
  }
}
