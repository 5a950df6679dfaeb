// viem's types are ECMAScript modules to TypeScript, so a CommonJS declaration file may only import
// them as types with `resolution-mode: import` (TS1479/TS1541 under node16 resolution otherwise).
// tsup's declaration bundling writes plain imports; this rewrites the viem ones in the `.d.cts` files.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const dist = new URL('../dist/', import.meta.url)
const plainViemImport = /^import \{([^}]*)\} from 'viem';$/gm
for (const file of readdirSync(dist).filter((name) => name.endsWith('.d.cts'))) {
  const path = join(dist.pathname, file)
  const source = readFileSync(path, 'utf8')
  const rewritten = source.replace(plainViemImport, "import type {$1} from 'viem' with { 'resolution-mode': 'import' };")
  if (rewritten !== source) writeFileSync(path, rewritten)
}
