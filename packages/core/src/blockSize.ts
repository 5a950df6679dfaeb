import type { Block } from '@ethereumjs/block'
import { Hardfork } from '@ethereumjs/common'
import { InvalidBlockError } from './errors.js'
import type { BlockInput } from './types.js'

/** EIP-7934: MAX_BLOCK_SIZE (10 MiB) less a 2 MiB margin for the consensus-layer envelope. */
export const MAX_RLP_BLOCK_SIZE = 8_388_608n

/**
 * EIP-7934 (Osaka): a block's RLP encoding may not exceed 8 MiB. ethereumjs 10.1 schedules the EIP
 * on no fork and only checks it on request, so the rule is applied here from Osaka on.
 */
export function assertBlockSize(block: Block, input: BlockInput): void {
  const { common } = block
  if (!common.gteHardfork(Hardfork.Osaka) && !common.isActivatedEIP(7934)) return
  const size = input.block.format === 'rlp' ? input.block.rlp.length : block.serialize().length
  if (BigInt(size) > MAX_RLP_BLOCK_SIZE) throw blockTooLarge(block.header.number, size, MAX_RLP_BLOCK_SIZE)
}

/** ethereumjs refuses an oversized RLP block while decoding it; that refusal, as the rule it is. */
export function oversizedDecoding(cause: unknown, blockNumber: bigint | undefined): InvalidBlockError | undefined {
  const match = /^Block size exceeds limit: (\d+) > (\d+)/.exec(cause instanceof Error ? cause.message : '')
  return match === null ? undefined : blockTooLarge(blockNumber ?? -1n, Number(match[1]), BigInt(match[2]!))
}

function blockTooLarge(blockNumber: bigint, size: number, limit: bigint): InvalidBlockError {
  return new InvalidBlockError({ blockNumber, rule: 'blockSize', reason: `its RLP encoding is ${size} bytes, above the EIP-7934 limit of ${limit}` })
}
