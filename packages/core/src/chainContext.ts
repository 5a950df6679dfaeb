import type { Common } from '@ethereumjs/common'
import { EVM, NobleBN254, type EVMMockBlockchainInterface } from '@ethereumjs/evm'
import { createVM, type VM } from '@ethereumjs/vm'
import { cacheCodeAnalysis } from './codeAnalysisCache.js'
import { bn254Of } from './cryptoProvider.js'
import { fastInterpreter } from './fastInterpreter.js'
import { fastWordOpcodes } from './wordOpcodes.js'
import { instrumentLane } from './instrumentLane.js'
import { exemptZeroValueCallChecks, zeroValueCheckHook } from './zeroValueCallCheck.js'
import { EMPTY_STATE } from './stateOverlay.js'
import { TxStateView } from './txStateView.js'

const ZERO_HASH = new Uint8Array(32)

/**
 * Answers BLOCKHASH from the hashes a block brought with it. The EVM only ever asks for `hash()`;
 * a number it does not know is answered with zero, as the fixtures' producers did.
 */
export class AncestorHashes implements EVMMockBlockchainInterface {
  constructor(public hashes: ReadonlyMap<bigint, Uint8Array> = new Map()) {}
  async getBlock(blockId: number) {
    const hash = this.hashes.get(BigInt(blockId)) ?? ZERO_HASH
    return { hash: () => hash }
  }
  async putBlock(): Promise<void> {}
  shallowCopy(): EVMMockBlockchainInterface {
    return this
  }
}

/** One lane's execution machinery: a VM per fork, each bound to the lane's TxStateView. */
export interface Lane {
  vm: VM
  view: TxStateView
}

/**
 * Keeps a VM per hardfork so a lane pays VM construction once, not per block. Each VM runs on the
 * lane's single TxStateView, which `reset` points at a new base before every transaction.
 */
export class LaneFactory {
  private readonly lanes = new Map<string, Lane>()
  private readonly ancestors = new AncestorHashes()
  private readonly view = new TxStateView(EMPTY_STATE)

  async laneFor(common: Common, ancestorHashes: ReadonlyMap<bigint, Uint8Array>): Promise<Lane> {
    this.ancestors.hashes = ancestorHashes
    const key = common.hardfork()
    let lane = this.lanes.get(key)
    if (lane === undefined) {
      const vmCommon = common.copy()
      // Built here rather than by createVM: ethereumjs 10.1.3's createEVM overwrites a given `bn254`
      // with its own pure-JS one.
      const evm = new EVM({ common: vmCommon, stateManager: this.view, blockchain: this.ancestors, bn254: bn254Of(common) ?? new NobleBN254() })
      const vm = await createVM({ common: vmCommon, stateManager: this.view, blockchain: this.ancestors, evm })
      instrumentLane(vm, this.view)
      await cacheCodeAnalysis(vm.evm)
      await fastInterpreter(vm.evm)
      fastWordOpcodes(vm.evm)
      await exemptZeroValueCallChecks(vm.evm, zeroValueCheckHook(this.view))
      lane = { vm, view: this.view }
      this.lanes.set(key, lane)
    }
    return lane
  }

  /**
   * Drops the VM of `common`'s fork. A throw out of runTx can leave the EVM's journal, open
   * checkpoints or transient storage behind; the next transaction must not inherit them.
   */
  discard(common: Common): void {
    this.lanes.delete(common.hardfork())
  }
}
