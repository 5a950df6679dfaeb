import { DatabaseVersionError } from './errors.js'
import { LmdbTables, META_FORMAT, TABLES } from './tables.js'

// Run as a child process by verifyDatabase: reads everything, prints one JSON line. A crash here
// is the parent's evidence of damaged pages.
const path = process.argv[2]!
try {
  const tables = LmdbTables.open(path, { readOnly: true })
  const entries: Record<string, number> = {}
  tables.checkFormat()
  for (const table of TABLES) {
    let count = 0
    for (const _ of tables.range(table, Buffer.alloc(1, 0), Buffer.alloc(64, 0xff), { skip: table === 'meta' ? [META_FORMAT] : [] })) count++
    entries[table] = count
  }
  process.stdout.write(JSON.stringify({ ok: true, entries }))
} catch (error) {
  const code = (error as { code?: string }).code ?? 'UNEXPECTED'
  const found = error instanceof DatabaseVersionError ? error.found : undefined
  process.stdout.write(JSON.stringify({ ok: false, code, found, message: error instanceof Error ? error.message : String(error) }))
}
