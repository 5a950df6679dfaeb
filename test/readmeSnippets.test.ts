import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

// Each package README's install line names every package its first TypeScript snippet imports.
// The snippets themselves run in test/consumer.test.ts, from the packed packages, as a user runs them.
const root = resolve(__dirname, '..')
const packages = ['core', 'state-memory', 'state-merkle', 'state-lmdb', 'fixtures', 'conflicts', 'scheduler-optimistic', 'scheduler-static', 'scheduler-sharded', 'referral-kit']

/** The packages a snippet imports by name (not `node:` built-ins, not relative paths). */
function packagesImportedBy(snippet: string): string[] {
  const specifiers = [...snippet.matchAll(/from ['"]([^'"]+)['"]/g)].map((match) => match[1]!)
  const names = specifiers.filter((specifier) => !specifier.startsWith('node:') && !specifier.startsWith('.')).map((specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/'))
  return [...new Set(names)]
}

/** The packages the README's `npm install` line names, versions dropped. */
function packagesInstalledBy(readme: string): string[] {
  const line = /npm install ([^\n`]*)/.exec(readme)
  if (line === null) throw new Error('no npm install line')
  return line[1]!.trim().split(/\s+/).map((name) => name.replace(/(.)@.*$/, '$1'))
}

function firstTypeScriptSnippet(readme: string): string {
  const match = /```ts\n([\s\S]*?)```/.exec(readme)
  if (match === null) throw new Error('no ```ts snippet')
  return match[1]!
}

describe('README snippets', () => {
  for (const name of packages) {
    it(`behavior: packages/${name}/README.md installs every package its snippet imports`, () => {
      const readme = readFileSync(join(root, 'packages', name, 'README.md'), 'utf8')
      const installed = packagesInstalledBy(readme)
      expect(installed[0]).toBe(`@parallel-evm/${name}`)
      expect(packagesImportedBy(firstTypeScriptSnippet(readme)).filter((imported) => !installed.includes(imported))).toEqual([])
    })
  }
})
