import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it, vi } from 'vitest'

// Each package README's first TypeScript snippet must run as written against the sources.
const root = resolve(__dirname, '..')
const packages = ['core', 'state-memory', 'state-merkle', 'state-lmdb', 'fixtures', 'conflicts', 'scheduler-optimistic', 'scheduler-static', 'scheduler-sharded', 'referral-kit']
const snippetDir = join(root, 'test/.snippets')

function firstTypeScriptSnippet(readme: string): string {
  const match = /```ts\n([\s\S]*?)```/.exec(readme)
  if (match === null) throw new Error('no ```ts snippet')
  return match[1]!
}

describe('README snippets', () => {
  for (const name of packages) {
    it(`behavior: packages/${name}/README.md runs`, async () => {
      const snippet = firstTypeScriptSnippet(readFileSync(join(root, 'packages', name, 'README.md'), 'utf8'))
      mkdirSync(snippetDir, { recursive: true })
      const file = join(snippetDir, `${name}.ts`)
      writeFileSync(file, `${snippet}\nexport {}\n`)
      const log = vi.spyOn(console, 'log').mockImplementation(() => {})
      try {
        await import(file)
        expect(log).toHaveBeenCalled()
      } finally {
        log.mockRestore()
      }
    })
  }
})
