#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { InvalidOptionError, ParallelEvmError } from '@parallel-evm/core'
import { assertWorkerCount } from '@parallel-evm/core/internal'
import type { CommonFlags } from './flags.js'
import { backendNames, schedulerNames } from './names.js'

const usage = `pevm — parallel EVM block execution

Usage:
  pevm run <blockDir> [--scheduler NAME] [--state memory|merkle|lmdb] [--db PATH] [--workers N] [--repeat N] [--json]
           [--predict static,access-list,preexec,hints] [--hints FILE]   (static scheduler)
           [--partitioner hash|activity] [--predict static,access-list,preexec]   (sharded: N shards)
  pevm hints <blockDir> [--out FILE] [--json]
  pevm replay <chain> [--state lmdb --db PATH] [--test NAME] [--scheduler NAME] [--workers N] [--json]
  pevm import-state <chain> --db PATH [--test NAME] [--json]
  pevm db info --db PATH [--json]
  pevm db check --db PATH [--json]   (every record and trie node, at any size)
  pevm db unwind --db PATH --blocks N [--json]
  pevm test-vectors <file-or-dir> [--scheduler NAME] [--state memory|merkle|lmdb] [--workers N] [--json]
  pevm conflicts <blockDir> [--predict static,access-list,preexec] [--workers N] [--state memory|merkle|lmdb] [--json] [--html report.html]
  pevm referral generate <dir> [--seed N] [--users N] [--blocks N] [--design kit|naive] [--json]
  pevm referral analytics <dir> [--scheduler NAME] [--state memory|merkle|lmdb] [--db PATH] [--workers N] [--json]

A <chain> is a referral campaign directory, a mainnet snapshot block directory, or a
BlockchainTests file (--test names the case when it holds several). With --state lmdb, run and
replay import the starting state into --db when it is empty and resume from its head otherwise;
without --db they use a temporary database.

The static scheduler plans from --predict (default static,access-list, or hints with --hints).
A hints file is [[txIndex, [dependsOn, ...]], ...] or {"accessLists": [[txIndex, [{"address",
"storageKeys"}]], ...]}, found as given or else beside the block; pevm hints writes a block's
actual dependencies in that form. --predict works wherever --scheduler static does.

--workers N sets a parallel scheduler's worker threads; auto (the default) gives one lane per core,
counting the calling thread where it executes too (the optimistic scheduler's).

The sharded scheduler runs --workers N shards, each owning a partition of the state: by address
hash (--partitioner hash, the default) or by the block's predicted activity (activity). It
predicts from static facts, access lists and pre-execution unless --predict says otherwise.

pevm run --repeat N times a block: one warm-up, then N runs in one process, each on a fresh copy of
the parent state (a temporary database with --state lmdb), the worker pool started once before
them; it reports the median (and each stage's) with the pool's start-up apart.

Schedulers: ${schedulerNames.join(', ')}
State backends: ${backendNames.join(', ')}

Every block's senders are recovered from its signatures and checked against any it carries, and its
transactions (and withdrawals) against the header's roots; --trust-senders (run, replay, test-vectors,
referral analytics) takes them as given, for inputs already checked.

Exit codes: 0 everything matched or passed; 1 a mismatch, a failed test or a typed block error;
2 bad usage.`

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scheduler: { type: 'string', default: 'sequential' },
      state: { type: 'string', default: 'memory' },
      workers: { type: 'string', default: 'auto' },
      json: { type: 'boolean', default: false },
      predict: { type: 'string' },
      html: { type: 'string' },
      seed: { type: 'string', default: '1' },
      users: { type: 'string' },
      blocks: { type: 'string' },
      design: { type: 'string', default: 'kit' },
      db: { type: 'string' },
      test: { type: 'string' },
      hints: { type: 'string' },
      partitioner: { type: 'string' },
      out: { type: 'string' },
      repeat: { type: 'string' },
      'trust-senders': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const [command, target, referralDir] = positionals
  if (values.help || command === undefined) {
    console.log(usage)
    return command === undefined && !values.help ? 2 : 0
  }
  const workers = values.workers === 'auto' ? 'auto' : Number(values.workers)
  if (workers !== 'auto' && (!Number.isInteger(workers) || workers < 1)) {
    throw new InvalidOptionError({ option: '--workers', reason: `"${values.workers}" is neither a positive integer nor auto` })
  }
  if (workers !== 'auto' && workers > 1) assertWorkerCount(workers, '--workers')
  const flags: CommonFlags = {
    scheduler: values.scheduler,
    state: values.state,
    workers,
    json: values.json,
    ...(values.db === undefined ? {} : { db: values.db }),
    ...(values.predict === undefined || command === 'conflicts' ? {} : { predict: values.predict }),
    ...(values.hints === undefined ? {} : { hintsFile: values.hints }),
    ...(values.partitioner === undefined ? {} : { partitioner: values.partitioner }),
    ...(values['trust-senders'] ? { trustSenders: true } : {}),
  }
  if (values.repeat !== undefined && command !== 'run') throw new InvalidOptionError({ option: '--repeat', reason: `it times one block: pevm run takes it, pevm ${command} does not` })
  if (values.hints !== undefined && command !== 'run') throw new InvalidOptionError({ option: '--hints', reason: `hints are per block: pevm run takes them, pevm ${command} does not` })
  if (command === 'db') {
    const { runDbCheck, runDbInfo, runDbUnwind } = await import('./commands/database.js')
    if (target === 'info') return runDbInfo(values.db, values.json)
    if (target === 'check') return runDbCheck(values.db, values.json)
    if (target === 'unwind') return runDbUnwind(values.db, integerAtLeast('--blocks', values.blocks ?? '', 1), values.json)
    console.error(`pevm db: unknown subcommand "${target ?? ''}"\n\n${usage}`)
    return 2
  }
  if (target === undefined) {
    console.error(`pevm ${command}: missing the path argument\n\n${usage}`)
    return 2
  }
  // Each command's modules load only when it runs: `pevm --help` and a usage error start in a
  // fraction of the time every scheduler, backend and the referral kit take to load.
  if (command === 'run') return (await import('./commands/run.js')).runRunCommand(target, { ...flags, ...(values.repeat === undefined ? {} : { repeat: integerAtLeast('--repeat', values.repeat, 1) }) })
  if (command === 'hints') return (await import('./commands/hints.js')).runHintsCommand(target, flags, values.out)
  if (command === 'replay') return (await import('./commands/replay.js')).runReplayCommand(target, { ...flags, ...(values.test === undefined ? {} : { test: values.test }) })
  if (command === 'import-state') return (await import('./commands/database.js')).runImportState(target, values.db, { json: values.json, ...(values.test === undefined ? {} : { test: values.test }) })
  if ((command === 'test-vectors' || command === 'conflicts') && values.db !== undefined) {
    throw new InvalidOptionError({ option: '--db', reason: `${command} opens a fresh temporary database per block or test` })
  }
  if (command === 'test-vectors') return (await import('./commands/testVectors.js')).runTestVectorsCommand(target, flags)
  if (command === 'conflicts') {
    const [{ runConflictsCommand }, { parsePredictSources }] = await Promise.all([import('./commands/conflicts.js'), import('./conflictReport.js')])
    return runConflictsCommand(target, { ...flags, predict: parsePredictSources(values.predict), ...(values.html === undefined ? {} : { html: values.html }) })
  }
  if (command === 'referral') {
    if (referralDir === undefined) {
      console.error(`pevm referral ${target}: missing the campaign directory\n\n${usage}`)
      return 2
    }
    const { runReferralAnalytics, runReferralGenerate } = await import('./commands/referral.js')
    if (target === 'analytics') return runReferralAnalytics(referralDir, flags)
    if (target === 'generate') {
      return runReferralGenerate(referralDir, {
        json: values.json,
        design: values.design,
        seed: integerAtLeast('--seed', values.seed, 0),
        ...(values.users === undefined ? {} : { users: integerAtLeast('--users', values.users, 1) }),
        ...(values.blocks === undefined ? {} : { blocks: integerAtLeast('--blocks', values.blocks, 1) }),
      })
    }
    console.error(`pevm referral: unknown subcommand "${target}"\n\n${usage}`)
    return 2
  }
  console.error(`pevm: unknown command "${command}"\n\n${usage}`)
  return 2
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    if (error instanceof InvalidOptionError) {
      console.error(`pevm: ${error.shortMessage}`)
      process.exitCode = 2
    } else if (error instanceof ParallelEvmError) {
      console.error(`pevm: error [${error.code}] ${error.message}`)
      process.exitCode = 1
    } else if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) {
      console.error(`pevm: ${error.message}\n\n${usage}`)
      process.exitCode = 2
    } else {
      console.error('pevm: unexpected failure', error)
      process.exitCode = 70
    }
  },
)

function integerAtLeast(option: string, text: string, min: number): number {
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < min) throw new InvalidOptionError({ option, reason: `"${text}" is not an integer of at least ${min}` })
  return value
}
