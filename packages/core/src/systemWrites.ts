import { ConsensusType } from '@ethereumjs/common'
import { Account, Address, bigIntToBytes, createAddressFromString, GWEI_TO_WEI, setLengthLeft } from '@ethereumjs/util'
import type { Lane } from './chainContext.js'
import type { TxStateView } from './txStateView.js'
import type { PreparedBlock, StateReader, WriteSet } from './types.js'

const BEACON_ROOTS_ADDRESS = createAddressFromString('0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02')

/**
 * The state changes a block makes before its first transaction: EIP-4788 (parent beacon root)
 * and EIP-2935 (parent block hash) system-contract storage. As in ethereumjs, a system contract
 * without code is skipped.
 */
export async function preBlockWrites(prepared: PreparedBlock, lane: Lane, parent: StateReader): Promise<WriteSet> {
  const { view } = lane
  view.reset(parent)
  // The VM's Common carries the VM's parameters (ring sizes, rewards); the block's does not.
  const common = lane.vm.common
  const { header } = prepared
  if (common.isActivatedEIP(4788) && header.parentBeaconBlockRoot !== undefined) {
    if ((await view.getCode(BEACON_ROOTS_ADDRESS)).length > 0) {
      const ringLength = BigInt(common.param('historicalRootsLength'))
      const index = header.timestamp % ringLength
      await view.putStorage(BEACON_ROOTS_ADDRESS, slot(index), bigIntToBytes(header.timestamp))
      await view.putStorage(BEACON_ROOTS_ADDRESS, slot(index + ringLength), header.parentBeaconBlockRoot)
    }
  }
  if (common.isActivatedEIP(2935)) {
    const history = new Address(setLengthLeft(bigIntToBytes(common.param('historyStorageAddress')), 20))
    if ((await view.getCode(history)).length > 0) {
      const window = BigInt(common.param('historyServeWindow'))
      await view.putStorage(history, slot((header.number - 1n) % window), header.parentHash)
    }
  }
  return view.takeResult().writeSet
}

/**
 * The state changes after the last transaction: proof-of-work miner and ommer rewards, then
 * EIP-4895 withdrawals (an empty account touched by a zero withdrawal is removed, per EIP-161).
 */
export async function postBlockWrites(prepared: PreparedBlock, lane: Lane, state: StateReader): Promise<WriteSet> {
  const { view } = lane
  view.reset(state)
  const common = lane.vm.common
  const { block, header } = prepared
  if (common.isActivatedEIP(4895)) {
    for (const withdrawal of block.withdrawals ?? []) {
      await credit(view, withdrawal.address, withdrawal.amount * GWEI_TO_WEI)
    }
  }
  if (common.consensusType() === ConsensusType.ProofOfWork) {
    const minerReward = common.param('minerReward')
    for (const ommer of block.uncleHeaders) {
      const reward = ((8n - (header.number - ommer.number)) * minerReward) / 8n
      await credit(view, ommer.coinbase, reward > 0n ? reward : 0n)
    }
    const reward = minerReward + (minerReward / 32n) * BigInt(block.uncleHeaders.length)
    await credit(view, header.coinbase, reward)
  }
  return view.takeResult().writeSet
}

async function credit(view: TxStateView, address: Address, amount: bigint): Promise<void> {
  const account = (await view.getAccount(address)) ?? new Account()
  if (amount === 0n) {
    if (account.isEmpty() && (await view.getAccount(address)) !== undefined) await view.deleteAccount(address)
    return
  }
  account.balance += amount
  await view.putAccount(address, account)
}

function slot(index: bigint): Uint8Array {
  return setLengthLeft(bigIntToBytes(index), 32)
}
