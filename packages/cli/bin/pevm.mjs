#!/usr/bin/env node
// Committed launcher: npm links a workspace bin at install time, before `dist/` is built, so the
// bin must be a file that already exists. It runs the built CLI.
import('../dist/main.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('pevm: the CLI is not built yet; run `npm run build` at the repository root first')
    process.exit(70)
  }
  throw error
})
