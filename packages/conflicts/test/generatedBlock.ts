import { createBlock } from '@ethereumjs/block'
import { createLegacyTx, type LegacyTx } from '@ethereumjs/tx'
import { bytesToHex, createAddressFromPrivateKey, hexToBytes } from '@ethereumjs/util'
import {
  createMainnetCommon,
  createWriteSet,
  EMPTY_CODE_HASH,
  type AddressHex,
  type BlockInput,
  type Hex,
  type WriteSet,
} from '@parallel-evm/core'
import { orderedTrieRoot } from '@parallel-evm/core/internal'
import { keccak_256 } from '@noble/hashes/sha3.js'

export const COINBASE = '0x00000000000000000000000000000000c0ffee00' as AddressHex
const GWEI = 10n ** 9n

/** Hand-assembled contracts for scenarios. */
export const contracts = {
  /** slot0 += 1 */
  counter: '0x600054600101600055',
  /** slot0 = BALANCE(COINBASE) */
  coinbaseReader: '0x4131600055',
  /** slot0 = BALANCE(CALLER) */
  callerBalanceReader: '0x3331600055',
} as const satisfies Record<string, Hex>

export interface Account {
  key: Uint8Array
  address: AddressHex
}

export function account(seed: number): Account {
  const key = keccak_256(new TextEncoder().encode(`pevm-test-account-${seed}`))
  return { key, address: bytesToHex(createAddressFromPrivateKey(key).bytes) as AddressHex }
}

export function contractAddress(seed: number): AddressHex {
  return `0x${(0xc0de0000 + seed).toString(16).padStart(40, '0')}` as AddressHex
}

export interface TxSpec {
  from: Account
  to: AddressHex
  value?: bigint
  gasLimit?: bigint
}

/**
 * A Cancun block of legacy transactions built from specs (nonces assigned per sender in order),
 * with a genesis funding every sender and deploying the given contracts.
 */
export function generatedBlock(
  specs: readonly TxSpec[],
  deployed: Record<AddressHex, Hex> = {},
  options: { recipientsExist?: boolean; senderBalance?: bigint } = {},
): { input: BlockInput; genesis: WriteSet } {
  const common = createMainnetCommon()
  common.setHardforkBy({ blockNumber: 19_500_000n, timestamp: 1_712_000_000n })
  const nonces = new Map<AddressHex, bigint>()
  const transactions: LegacyTx[] = specs.map((spec) => {
    const nonce = nonces.get(spec.from.address) ?? 0n
    nonces.set(spec.from.address, nonce + 1n)
    return createLegacyTx(
      { nonce, gasPrice: 2n * GWEI, gasLimit: spec.gasLimit ?? 100_000n, to: spec.to, value: spec.value ?? 0n },
      { common },
    ).sign(spec.from.key)
  })
  const block = createBlock(
    {
      header: { number: 19_500_000n, timestamp: 1_712_000_000n, gasLimit: 30_000_000n, coinbase: COINBASE, baseFeePerGas: GWEI, excessBlobGas: 0n, blobGasUsed: 0n, parentBeaconBlockRoot: new Uint8Array(32), transactionsTrie: orderedTrieRoot(transactions.map((tx) => tx.serialize())) },
      transactions,
      withdrawals: [],
    },
    { common },
  )
  const genesis = createWriteSet()
  if (options.recipientsExist ?? true) {
    for (const spec of specs) {
      genesis.accounts.set(spec.to, { lifecycle: 'created', nonce: 0n, balance: 1n, codeHash: EMPTY_CODE_HASH, storage: new Map() })
    }
  }
  for (const spec of specs) {
    genesis.accounts.set(spec.from.address, { lifecycle: 'created', nonce: 0n, balance: options.senderBalance ?? 10n ** 22n, codeHash: EMPTY_CODE_HASH, storage: new Map() })
  }
  for (const [address, code] of Object.entries(deployed)) {
    const bytes = hexToBytes(code as Hex)
    const codeHash = bytesToHex(keccak_256(bytes)) as Hex
    genesis.codes.set(codeHash, bytes)
    genesis.accounts.set(address as AddressHex, { lifecycle: 'created', nonce: 1n, balance: 0n, codeHash, storage: new Map() })
  }
  genesis.accounts.set(COINBASE, { lifecycle: 'created', nonce: 0n, balance: 1n, codeHash: EMPTY_CODE_HASH, storage: new Map() })
  return {
    input: { block: { format: 'rlp', rlp: block.serialize() }, senders: specs.map((spec) => spec.from.address) },
    genesis,
  }
}
