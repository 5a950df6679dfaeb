#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { InvalidOptionError, ParallelEvmError } from '@parallel-evm/core'
import { assertWorkerCount } from '@parallel-evm/core/internal'
import type { CommonFlags } from './flags.js'
import packageJson from '../package.json' with { type: 'json' }
import { commandHelp, commandNames, globalUsage, helpFor, nearest } from './help.js'
import { backendNames, schedulerNames } from './names.js'

const options = {
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
  version: { type: 'boolean', short: 'v', default: false },
} as const

/** Every long option, for suggestions: `--wokers` is most likely `--workers`. */
const optionNames = Object.keys(options).map((name) => `--${name}`)

/** A flag parseArgs refused: said in one line with the nearest known flag, not Node's raw message and the whole usage. */
function usageErrorOf(error: unknown, command: string | undefined): string | undefined {
  const code = (error as { code?: string }).code
  if (!(error instanceof TypeError) || code?.startsWith('ERR_PARSE_ARGS') !== true) return undefined
  const where = command !== undefined && Object.hasOwn(commandHelp, command) ? `pevm ${command}` : 'pevm'
  const more = command !== undefined && Object.hasOwn(commandHelp, command) ? `Run "pevm help ${command}" for its options.` : 'Run "pevm help" for the commands.'
  const unknown = /^Unknown option '([^']+)'/.exec(error.message)?.[1]
  if (unknown !== undefined) {
    const suggestion = nearest(unknown, optionNames)
    return `${where}: unknown option ${unknown}${suggestion === undefined ? '' : `; did you mean ${suggestion}?`}\n${more}`
  }
  return `${where}: ${error.message.replace(/ To specify an option argument starting with a dash.*$/s, '')}\n${more}`
}

function unknownName(kind: string, given: string, known: readonly string[], more: string): number {
  const suggestion = nearest(given, known)
  console.error(`pevm: unknown ${kind} "${given}"${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}\n${more}`)
  return 2
}

function missingArgument(command: string, what: string): number {
  console.error(`pevm ${command}: missing ${what}\n${commandHelp[command]!.split('\n\n')[0]}\nRun "pevm help ${command}" for its options.`)
  return 2
}

async function main(argv: string[]): Promise<number> {
  const firstWord = argv.find((arg) => !arg.startsWith('-'))
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof options }>>
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options })
  } catch (error) {
    const message = usageErrorOf(error, firstWord)
    if (message === undefined) throw error
    console.error(message)
    return 2
  }
  const { positionals, values } = parsed
  const [command, target, referralDir] = positionals
  if (values.version) {
    console.log(`pevm ${packageJson.version}`)
    return 0
  }
  if (command === 'help' || values.help) {
    const topic = command === 'help' ? target : command
    if (topic === undefined) console.log(globalUsage())
    else if (Object.hasOwn(commandHelp, topic)) console.log(helpFor(topic))
    else return unknownName('command', topic, commandNames, 'Run "pevm help" for the commands.')
    return 0
  }
  if (command === undefined) {
    console.error(globalUsage())
    return 2
  }
  if (!Object.hasOwn(commandHelp, command)) return unknownName('command', command, commandNames, 'Run "pevm help" for the commands.')
  const workers = values.workers === 'auto' ? 'auto' : Number(values.workers)
  if (workers !== 'auto' && (!Number.isInteger(workers) || workers < 1)) {
    throw new InvalidOptionError({ option: '--workers', reason: `"${values.workers}" is neither a positive integer nor auto` })
  }
  if (workers !== 'auto') assertWorkerCount(workers, '--workers')
  // Names checked before any file is read, with the nearest one suggested.
  for (const [option, given, known] of [['--scheduler', values.scheduler, schedulerNames], ['--state', values.state, backendNames]] as const) {
    if (!(known as readonly string[]).includes(given)) {
      const suggestion = nearest(given, known)
      throw new InvalidOptionError({ option, reason: `"${given}" is not one of ${known.join(', ')}${suggestion === undefined ? '' : `; did you mean ${suggestion}?`}` })
    }
  }
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
    return target === undefined ? missingArgument('db', 'the subcommand (info, check or unwind)') : unknownName('db subcommand', target, ['info', 'check', 'unwind'], 'Run "pevm help db".')
  }
  if (target === undefined) return missingArgument(command, command === 'referral' ? 'the subcommand (generate or analytics)' : 'the path argument')
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
    if (target !== 'analytics' && target !== 'generate') return unknownName('referral subcommand', target, ['generate', 'analytics'], 'Run "pevm help referral".')
    if (referralDir === undefined) return missingArgument('referral', 'the campaign directory')
    const { runReferralAnalytics, runReferralGenerate } = await import('./commands/referral.js')
    if (target === 'analytics') return runReferralAnalytics(referralDir, flags)
    return runReferralGenerate(referralDir, {
      json: values.json,
      design: values.design,
      seed: integerAtLeast('--seed', values.seed, 0),
      ...(values.users === undefined ? {} : { users: integerAtLeast('--users', values.users, 1) }),
      ...(values.blocks === undefined ? {} : { blocks: integerAtLeast('--blocks', values.blocks, 1) }),
    })
  }
  return unknownName('command', command, commandNames, 'Run "pevm help" for the commands.')
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
