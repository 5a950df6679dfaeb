import { LmdbTables, TABLES } from './tables.js'

// Run as a child process by verifyDatabase: reads everything, prints one JSON line. A crash here
// is the parent's evidence of damaged pages.
const path = process.argv[2]!
try {
  const tables = LmdbTables.open(path, { readOnly: true })
  const entries: Record<string, number> = {}
  for (const table of TABLES) {
    let count = 0
    for (const _ of tables.range(table, Buffer.alloc(1, 0), Buffer.alloc(64, 0xff))) count++
    entries[table] = count
  }
  process.stdout.write(JSON.stringify({ ok: true, entries }))
} catch (error) {
  const code = (error as { code?: string }).code ?? 'UNEXPECTED'
  process.stdout.write(JSON.stringify({ ok: false, code, message: error instanceof Error ? error.message : String(error) }))
}
