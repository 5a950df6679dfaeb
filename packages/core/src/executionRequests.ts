import { genRequestsRoot } from '@ethereumjs/block'
import { Mainnet, type Common } from '@ethereumjs/common'
import {
  Address,
  bigIntToAddressBytes,
  bytesToBigInt,
  CLRequest,
  CLRequestType,
  concatBytes,
  equalsBytes,
  hexToBytes,
} from '@ethereumjs/util'
import { activeCryptoProvider } from './cryptoProvider.js'
import { InvalidBlockError } from './errors.js'
import type { Lane } from './chainContext.js'
import type { PreparedBlock, ReadSet, StateReader, TxOutcome, WriteSet } from './types.js'

/** EIP-7685 requests of a block, their commitment, and what the end-of-block system calls wrote. */
export interface ExecutionRequests {
  requests: CLRequest<CLRequestType>[]
  requestsHash: Uint8Array
  /** What the EIP-7002 and EIP-7251 system calls read (the queues the transactions filled). */
  readSet: ReadSet
  /** Their state changes (queue pointers and excess counters). */
  writeSet: WriteSet
}

// keccak256('DepositEvent(bytes,bytes,bytes,bytes,bytes)'), the deposit contract's only event.
const DEPOSIT_TOPIC = hexToBytes('0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5')
// The ABI layout of that event's data: five dynamic fields at fixed offsets with fixed sizes.
const DEPOSIT_FIELDS: ReadonlyArray<[offset: number, size: number]> = [
  [160, 48], // pubkey
  [256, 32], // withdrawal credentials
  [320, 8], // amount
  [384, 96], // signature
  [512, 8], // index
]
const DEPOSIT_LOG_SIZE = 576

/**
 * The block's EIP-7685 requests, in type order: EIP-6110 deposits read from the deposit contract's
 * logs, then the EIP-7002 withdrawal and EIP-7251 consolidation queues, each dequeued by a system
 * call (caller the system address, 30M gas) on `state`, the post-block state after withdrawals. The
 * same steps, parameters and order as ethereumjs's runBlock, with the calls' writes recorded.
 */
export async function executionRequests(prepared: PreparedBlock, outcomes: readonly TxOutcome[], lane: Lane, state: StateReader): Promise<ExecutionRequests> {
  const { view, vm } = lane
  const common = vm.common
  const requests: CLRequest<CLRequestType>[] = []
  if (common.isActivatedEIP(6110)) requests.push(new CLRequest(CLRequestType.Deposit, depositRequests(prepared, outcomes, common)))
  view.reset(state)
  if (common.isActivatedEIP(7002)) requests.push(new CLRequest(CLRequestType.Withdrawal, await dequeue(lane, 'withdrawalRequestPredeployAddress')))
  if (common.isActivatedEIP(7251)) requests.push(new CLRequest(CLRequestType.Consolidation, await dequeue(lane, 'consolidationRequestPredeployAddress')))
  const { readSet, writeSet } = view.takeResult()
  const sha256 = prepared.common.customCrypto.sha256 ?? activeCryptoProvider().sha256
  return { requests, requestsHash: genRequestsRoot(requests, sha256), readSet, writeSet }
}

function depositRequests(prepared: PreparedBlock, outcomes: readonly TxOutcome[], common: Common): Uint8Array {
  // As ethereumjs: the chain's own deposit contract, or mainnet's for a chain that names none.
  const configured = (common as unknown as { _chainParams: { depositContractAddress?: string } })._chainParams.depositContractAddress
  const contract = hexToBytes((configured ?? Mainnet.depositContractAddress!) as `0x${string}`)
  const parts: Uint8Array[] = []
  for (const outcome of outcomes) {
    for (const [logIndex, [address, topics, data]] of outcome.logs.entries()) {
      if (topics.length === 0 || !equalsBytes(topics[0]!, DEPOSIT_TOPIC) || !equalsBytes(address, contract)) continue
      parts.push(...depositFields(data, prepared, outcome, logIndex))
    }
  }
  return concatBytes(...parts)
}

/** The five fields of one deposit log; a log in any other layout makes the block invalid (EIP-6110). */
function depositFields(data: Uint8Array, prepared: PreparedBlock, outcome: TxOutcome, logIndex: number): Uint8Array[] {
  const invalid = (): never => {
    throw new InvalidBlockError({
      blockNumber: prepared.header.number,
      rule: 'depositLog',
      reason: `transaction ${outcome.index} (${outcome.txHash}) log ${logIndex} from the deposit contract does not have the DepositEvent layout`,
    })
  }
  if (data.length !== DEPOSIT_LOG_SIZE) invalid()
  return DEPOSIT_FIELDS.map(([offset, size], field) => {
    const declaredOffset = bytesToBigInt(data.subarray(field * 32, field * 32 + 32))
    const declaredSize = bytesToBigInt(data.subarray(offset, offset + 32))
    if (declaredOffset !== BigInt(offset) || declaredSize !== BigInt(size)) invalid()
    return data.slice(offset + 32, offset + 32 + size)
  })
}

/**
 * One EIP-7002/7251 system call: the queue contract returns the requests it dequeued. A missing
 * contract yields no requests. The system address's nonce bump is undone afterwards, as ethereumjs
 * does, so the call leaves only the contract's storage changes.
 */
async function dequeue(lane: Lane, contractParameter: string): Promise<Uint8Array> {
  const { vm, view } = lane
  const common = vm.common
  const contract = new Address(bigIntToAddressBytes(common.param(contractParameter)))
  const system = new Address(bigIntToAddressBytes(common.param('systemAddress')))
  const systemAccount = await view.getAccount(system)
  if ((await view.getAccount(contract)) === undefined) return new Uint8Array(0)
  const result = await vm.evm.runCall({ caller: system, gasLimit: common.param('systemCallGasLimit'), to: contract })
  if (systemAccount === undefined) await view.deleteAccount(system)
  else await view.putAccount(system, systemAccount)
  // The call's warm sets and touched accounts must not reach the lane's next transaction.
  vm.evm.journal.cleanJournal()
  return result.execResult.returnValue
}

/** Whether the block's header commits to `requestsHash` (null before Prague, where it has none). */
export function requestsHashMatches(prepared: PreparedBlock, requests: ExecutionRequests | undefined): boolean | null {
  const declared = prepared.header.requestsHash
  if (declared === undefined || requests === undefined) return null
  return equalsBytes(declared, requests.requestsHash)
}
