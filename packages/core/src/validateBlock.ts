import { ConsensusType } from '@ethereumjs/common'
import type { BlockHeader } from '@ethereumjs/block'
import { bytesToHex, equalsBytes } from '@ethereumjs/util'
import { InvalidBlockError } from './errors.js'
import { firstLine } from './prepareBlock.js'
import type { PreparedBlock } from './types.js'

/**
 * The consensus checks a block must pass before execution: its body against its header
 * (transaction and withdrawal tries, ommers hash, each transaction's own validity) and, given the
 * parent header, the header against its parent (number, hash link, time, gas limit, base fee,
 * blob gas, difficulty). Proof-of-work seals are not checked.
 */
export async function validateBlockBeforeExecution(prepared: PreparedBlock, parent?: BlockHeader): Promise<void> {
  const { block, header } = prepared
  const fail = (rule: string, reason: string, cause?: unknown): never => {
    throw new InvalidBlockError({ blockNumber: header.number, rule, reason, cause })
  }
  try {
    await block.validateData(false, true)
  } catch (cause) {
    fail('body', firstLine(cause), cause)
  }
  if (header.gasUsed > header.gasLimit) fail('gasUsed', `gas used ${header.gasUsed} above gas limit ${header.gasLimit}`)
  if (parent === undefined) return
  if (header.number !== parent.number + 1n) fail('number', `number ${header.number} does not follow ${parent.number}`)
  if (!equalsBytes(header.parentHash, parent.hash())) fail('parentHash', `parent hash ${bytesToHex(header.parentHash)} is not ${bytesToHex(parent.hash())}`)
  if (header.timestamp <= parent.timestamp) fail('timestamp', `timestamp ${header.timestamp} not after parent ${parent.timestamp}`)
  try {
    header.validateGasLimit(parent)
  } catch (cause) {
    fail('gasLimit', firstLine(cause), cause)
  }
  const common = prepared.common
  if (common.isActivatedEIP(1559)) {
    const expected = parent.common.isActivatedEIP(1559) ? parent.calcNextBaseFee() : common.param('initialBaseFee')
    if (header.baseFeePerGas !== expected) fail('baseFeePerGas', `base fee ${header.baseFeePerGas} is not ${expected}`)
  }
  if (common.isActivatedEIP(4844)) {
    const expected = parent.common.isActivatedEIP(4844) ? parent.calcNextExcessBlobGas(common) : 0n
    if (header.excessBlobGas !== expected) fail('excessBlobGas', `excess blob gas ${header.excessBlobGas} is not ${expected}`)
    try {
      block.validateBlobTransactions(parent)
    } catch (cause) {
      fail('blobGas', firstLine(cause), cause)
    }
  }
  if (common.consensusType() === ConsensusType.ProofOfWork) {
    const expected = header.ethashCanonicalDifficulty(parent)
    if (header.difficulty !== expected) fail('difficulty', `difficulty ${header.difficulty} is not ${expected}`)
  }
}
