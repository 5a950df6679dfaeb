import { backendNames, schedulerNames } from './names.js'

const exitCodes = `Exit codes: 0 everything matched or passed; 1 a mismatch, a failed test or a typed error
(printed as "pevm: error [CODE] ..."); 2 bad usage; 70 an unexpected failure (a bug: please report it).`

const executionOptions = `  --scheduler NAME      ${schedulerNames.join(', ')} (default sequential)
  --workers N|auto      a parallel scheduler's worker threads (default auto: one lane per core,
                        the calling thread counted where it executes too); sharded: the shards
  --state NAME          ${backendNames.join(', ')} (default memory)
  --predict LIST        static: static,access-list,preexec,hints; sharded: static,access-list,preexec
  --partitioner NAME    sharded: hash (default) or activity
  --trust-senders       take the senders and body as given instead of recovering and checking them
  --json                one JSON object instead of text`

/** Each command's own help: what it does and every option it takes. */
export const commandHelp: Record<string, string> = {
  run: `Usage: pevm run <blockDir> [options]

Executes one block in the mainnet snapshot layout (block.json and pre_state.json, with
bytecodes.json.gz and block_hashes.json two folders up) and compares gas used, receipts root, logs
bloom and requests hash with its header.

Options:
${executionOptions}
  --db PATH             with --state lmdb: import the pre-state into this database (default: a temporary one)
  --hints FILE          static scheduler: hints (pevm hints writes them), as given or beside the block
  --repeat N            time it: one warm-up, then N runs, each on a fresh copy of the parent state,
                        the pool started once; reports the medians and the pool's start-up apart`,
  hints: `Usage: pevm hints <blockDir> [--out FILE] [--json]

Runs the block sequentially and writes its actual dependencies as a hints file for
pevm run --scheduler static --hints FILE (to stdout without --out).`,
  replay: `Usage: pevm replay <chain> [options]

Executes a chain block by block, checking each against its header: a referral campaign directory,
a mainnet snapshot block directory, or a BlockchainTests file. With --state lmdb it imports the
starting state into --db when empty and resumes from its head otherwise.

Options:
${executionOptions}
  --db PATH             the lmdb database (default: a temporary one)
  --test NAME           the case of a BlockchainTests file holding several`,
  'import-state': `Usage: pevm import-state <chain> --db PATH [--test NAME] [--json]

Writes a chain's starting state into the lmdb database at --db, as the head replay resumes from.`,
  db: `Usage: pevm db info|check|unwind --db PATH [--blocks N] [--json]

  info     the head, its root, the blocks that can be unwound and each table's entries
  check    reads every record and trie node, at any size, and says whether the database is sound
  unwind   undoes the last --blocks N blocks`,
  'test-vectors': `Usage: pevm test-vectors <file-or-dir> [options]

Runs official Ethereum BlockchainTests (a file or a directory of them) and prints one line per
failure and a pass/fail count; each test gets a fresh state (a temporary database with lmdb).

Options:
${executionOptions}`,
  conflicts: `Usage: pevm conflicts <blockDir> [options]

Reports a block's read/write sets, dependency graph, critical path, ideal speedup and hot keys,
and how well each prediction source foresaw them.

Options:
  --predict LIST        static,access-list,preexec (default all three)
  --workers N|auto      threads for pre-execution (default auto: the calling thread alone, which
                        is faster than workers for it today)
  --state NAME          ${backendNames.join(', ')} (default memory)
  --html FILE           also write a single-file HTML report
  --json                one JSON object instead of text`,
  referral: `Usage: pevm referral generate <dir> [--seed N] [--users N] [--blocks N] [--design kit|naive|protocol] [--json]
       pevm referral analytics <dir> [options]

generate writes a seeded referral campaign (genesis, sealed blocks, ground truth) to <dir>: on the
kit's ReferralProgram, on the naive contrast, or on a protocol (the example mint) reporting to the
kit's registry and rewards vault. analytics replays it and derives sign-ups, conversions, rewards,
retention and fraud from the receipts and logs (on a protocol campaign: the registry's and vault's
events summed, and fraud from revert data), checked against the ground truth.

Options of analytics:
${executionOptions}
  --db PATH             with --state lmdb: the database (default: a temporary one)`,
}

export const commandNames = Object.keys(commandHelp)

export function globalUsage(): string {
  return `pevm — parallel EVM block execution

Usage: pevm <command> [options]

Commands:
  run <blockDir>              execute one block and check it against its header
  hints <blockDir>            write a block's actual dependencies as static-scheduler hints
  replay <chain>              execute a chain (campaign, snapshot block or BlockchainTests file)
  import-state <chain>        write a chain's starting state into an lmdb database
  db info|check|unwind        inspect, verify or unwind an lmdb database
  test-vectors <file-or-dir>  run official Ethereum BlockchainTests
  conflicts <blockDir>        a block's dependency graph, critical path and hot keys
  referral generate|analytics a referral campaign: generate one, or replay it and derive analytics

Run "pevm help <command>" (or "pevm <command> --help") for a command's options; pevm --version.

${exitCodes}`
}

/** The help of `command`, exit codes included. */
export function helpFor(command: string): string {
  return `${commandHelp[command]}\n\n${exitCodes}`
}

/** The one candidate `given` begins, or the closest by edit distance if close enough to be a likely typo. */
export function nearest(given: string, candidates: readonly string[]): string | undefined {
  const extended = candidates.filter((candidate) => given.length >= 2 && candidate.startsWith(given))
  if (extended.length === 1) return extended[0]
  let best: { candidate: string; distance: number } | undefined
  for (const candidate of candidates) {
    const distance = editDistance(given, candidate)
    if (best === undefined || distance < best.distance) best = { candidate, distance }
  }
  return best !== undefined && best.distance <= Math.max(1, Math.floor(given.length / 3)) ? best.candidate : undefined
}

/** Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`: "rnu" is one from "run". */
function editDistance(a: string, b: string): number {
  const rows = [Array.from({ length: b.length + 1 }, (_, j) => j)]
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1)
    }
    rows.push(row)
  }
  return rows[a.length]![b.length]!
}
