import type { BlockHeader } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { bytesToHex, equalsBytes } from '@ethereumjs/util'
import { LaneFactory } from './chainContext.js'
import { activateCryptoProvider, loadCryptoProvider, type CryptoPreference } from './cryptoProvider.js'
import { InvalidBlockError } from './errors.js'
import { requestsHashMatches } from './executionRequests.js'
import { finalizeBlock } from './finalizeBlock.js'
import { withIntermediateRoots } from './intermediateRoots.js'
import { prepareBlock, prepareBlockRecovering } from './prepareBlock.js'
import { StateOverlay } from './stateOverlay.js'
import { preBlockWrites } from './systemWrites.js'
import { validateBlockBeforeExecution } from './validateBlock.js'
import type { Scheduler } from './scheduler.js'
import type { StateBackend } from './stateBackend.js'
import type { BlockInput, BlockResult, HeaderMatches, Hex } from './types.js'

export interface ExecuteBlockOptions {
  /**
   * `'report'` (default) executes, commits and reports how the computed fields compare with the
   * header. `'enforce'` validates the block first (body, and header against `parentHeader` when
   * given) and rejects it, committing nothing, when any computed field differs from the header.
   */
  verify?: 'report' | 'enforce'
  parentHeader?: BlockHeader
}

/** How an executor treats a block's cryptography; `createExecutor` fills the defaults. */
export interface ExecutorSettings {
  crypto: CryptoPreference
  trustSenders: boolean
}

export interface Executor {
  readonly scheduler: Scheduler
  readonly state: StateBackend
  executeBlock(block: BlockInput, options?: ExecuteBlockOptions): Promise<BlockResult>
}

/**
 * The one path every block takes: prepare, pre-block system calls, the scheduler's transactions,
 * finalize, then an atomic commit. Any failure before the commit leaves the backend untouched.
 */
export class BlockExecutor implements Executor {
  private readonly lanes = new LaneFactory()

  constructor(
    readonly scheduler: Scheduler,
    readonly state: StateBackend,
    private readonly common: Common,
    private readonly settings: ExecutorSettings = { crypto: 'fast', trustSenders: false },
  ) {}

  async executeBlock(input: BlockInput, options: ExecuteBlockOptions = {}): Promise<BlockResult> {
    const enforce = options.verify === 'enforce'
    const crypto = await loadCryptoProvider(this.settings.crypto)
    activateCryptoProvider(crypto)
    const started = performance.now()
    const recover = this.scheduler.recoverSenders
    const prepareOptions = { common: this.common, crypto, trustSenders: this.settings.trustSenders }
    const prepared = recover === undefined ? prepareBlock(input, prepareOptions) : await prepareBlockRecovering(input, { ...prepareOptions, recover })
    if (enforce && prepared.omissions.length > 0) {
      throw new InvalidBlockError({ blockNumber: prepared.header.number, rule: 'completeness', reason: `cannot be verified: ${prepared.omissions.join('; ')}` })
    }
    if (enforce) await validateBlockBeforeExecution(prepared, options.parentHeader)
    const lane = await this.lanes.laneFor(prepared.common, prepared.ancestorHashes)
    const preBlock = await preBlockWrites(prepared, lane, this.state)
    const parent = new StateOverlay(this.state)
    parent.apply(preBlock)
    const prepareMs = performance.now() - started

    const scheduled = await this.scheduler.execute({ prepared, parent, lanes: this.lanes, state: this.state, preBlock })
    const { stats } = scheduled
    const executed = performance.now()
    const outcomes = await withIntermediateRoots(prepared, scheduled.outcomes, parent, preBlock, this.state, input.partialState)

    const finalized = await finalizeBlock(prepared, outcomes, parent, preBlock, lane)
    const finalizedAt = performance.now()

    const { header } = prepared
    const blockHash = bytesToHex(header.hash()) as Hex
    const staged = await this.state.stage(finalized.writeSet, { blockNumber: header.number, blockHash, parentHash: bytesToHex(header.parentHash) as Hex })
    const matches: HeaderMatches = {
      gasUsed: finalized.gasUsed === header.gasUsed,
      blobGasUsed: header.blobGasUsed === undefined ? null : finalized.blobGasUsed === header.blobGasUsed,
      logsBloom: equalsBytes(finalized.logsBloom, header.logsBloom),
      receiptsRoot: finalized.receiptsRootCheckable ? equalsBytes(finalized.receiptsRoot, header.receiptTrie) : null,
      stateRoot: staged.stateRoot === undefined ? null : equalsBytes(staged.stateRoot, header.stateRoot),
      requestsHash: requestsHashMatches(prepared, finalized.requests),
    }
    if (enforce) {
      const mismatch = firstMismatch(matches)
      if (mismatch !== undefined) {
        await staged.discard()
        throw new InvalidBlockError({ blockNumber: header.number, rule: mismatch, reason: `computed ${mismatch} differs from the header` })
      }
    }
    await staged.apply()
    const committed = performance.now()
    return {
      number: header.number,
      hash: blockHash,
      header,
      senders: prepared.senders,
      txCount: prepared.transactions.length,
      gasUsed: finalized.gasUsed,
      logsBloom: finalized.logsBloom,
      receiptsRoot: finalized.receiptsRoot,
      stateRoot: staged.stateRoot,
      receipts: finalized.receipts,
      ...(finalized.requests === undefined ? {} : { requests: { encoded: finalized.requests.requests.map((request) => request.bytes), requestsHash: finalized.requests.requestsHash } }),
      systemCalls: {
        preBlock,
        ...(finalized.requests === undefined ? {} : { postBlock: { readSet: finalized.requests.readSet, writeSet: finalized.requests.writeSet } }),
      },
      outcomes,
      writeSet: finalized.writeSet,
      matches,
      omissions: prepared.omissions,
      stats: {
        ...stats,
        crypto: crypto.stats,
        sendersVerified: !this.settings.trustSenders || input.senders === undefined,
        prepareMs,
        executeMs: executed - started - prepareMs,
        finalizeMs: finalizedAt - executed,
        commitMs: committed - finalizedAt,
      },
    }
  }
}

function firstMismatch(matches: HeaderMatches): string | undefined {
  for (const [field, match] of Object.entries(matches)) if (match === false) return field
  return undefined
}
