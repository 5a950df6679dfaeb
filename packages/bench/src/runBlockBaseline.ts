import { createBlockFromRLP, createBlockFromRPC, type Block, type BlockOptions, type JSONRPCBlock } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { Account, createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { createVM, runBlock, type RunBlockResult } from '@ethereumjs/vm'
import { type AddressHex, type WriteSet } from '@parallel-evm/core'
import { AncestorHashes, attachSenders } from '@parallel-evm/core/internal'

/** A MerkleStateManager filled with a pre-state, the state ethereumjs itself would execute on. */
export async function merkleStateManagerFrom(preState: WriteSet): Promise<MerkleStateManager> {
  const stateManager = new MerkleStateManager()
  for (const [address, write] of preState.accounts) {
    const target = createAddressFromString(address)
    await stateManager.putAccount(target, new Account(write.nonce ?? 0n, write.balance ?? 0n))
    if (write.codeHash !== undefined) {
      const code = preState.codes.get(write.codeHash)
      if (code !== undefined) await stateManager.putCode(target, code)
    }
    for (const [slot, value] of write.storage) {
      await stateManager.putStorage(target, hexToBytes(slot), hexToBytes(`0x${value.toString(16).padStart(64, '0')}`))
    }
  }
  await stateManager.checkpoint()
  await stateManager.commit()
  await stateManager.flush()
  return stateManager
}

/** The block as JSON-RPC (mainnet fixtures) or as RLP (generated and BlockchainTests blocks). */
export type BaselineInput = BaselineBlockContext & ({ json: JSONRPCBlock; rlp?: never } | { rlp: Uint8Array; json?: never })

export interface BaselineBlockContext {
  common: Common
  /** Known senders, attached so nothing recovers them; absent, runBlock recovers each by ECDSA once. */
  senders?: readonly AddressHex[]
  ancestorHashes: ReadonlyMap<bigint, Uint8Array>
}

/**
 * `@ethereumjs/vm` `runBlock` on a block given as RPC JSON or RLP, doing the same work our path does:
 * decode the block, attach the known senders (no ECDSA), execute, build receipts and the root.
 */
export async function runBlockBaseline(stateManager: MerkleStateManager, input: BaselineInput): Promise<RunBlockResult> {
  const block = decodeBaselineBlock(input)
  if (input.senders !== undefined) attachSenders(block, input.senders)
  const vm = await createVM({ common: block.common, stateManager, blockchain: new AncestorHashes(input.ancestorHashes) })
  return runBlock(vm, { block, generate: true, skipBlockValidation: true, skipHeaderValidation: true, skipHardForkValidation: true })
}

function decodeBaselineBlock(input: BaselineInput): Block {
  // Unfrozen so that known senders can be attached; frozen when they are to be recovered, since a
  // frozen transaction caches its sender after one ECDSA. The fork follows the block's number and time.
  const opts: BlockOptions = { common: input.common.copy(), setHardfork: true, freeze: input.senders === undefined }
  return input.rlp !== undefined ? createBlockFromRLP(input.rlp, opts) : createBlockFromRPC(input.json, [], opts)
}
