import { decodeEventLog, type ContractEventName, type DecodeEventLogReturnType, type Hex } from 'viem'
import { decodeCustomError, hexLog, type ReferralLogInput } from '../logInput.js'
import { referralKitEventsAndErrorsAbi } from './abi.js'

type KitEventsAbi = typeof referralKitEventsAndErrorsAbi

/** An event of the registry, the rewards vault or the badges, with the address that emitted it. */
export type ReferralKitEvent = DecodeEventLogReturnType<KitEventsAbi, ContractEventName<KitEventsAbi>> & { address: Hex | undefined }

/**
 * A log of the kit's registry, rewards vault or badges as a typed event, or undefined for any other
 * log. With `contracts`, logs from other addresses are undefined too (look-alikes emit the same
 * signatures). Takes a log as `getLogs` gives it or as our executor's receipts hold it.
 */
export function decodeReferralKitLog(log: ReferralLogInput, options: { contracts?: readonly Hex[] } = {}): ReferralKitEvent | undefined {
  const { address, topics, data } = hexLog(log)
  if (options.contracts !== undefined && !options.contracts.some((contract) => contract.toLowerCase() === address?.toLowerCase())) return undefined
  if (topics.length === 0) return undefined
  try {
    return { ...decodeEventLog({ abi: referralKitEventsAndErrorsAbi, topics: topics as [Hex, ...Hex[]], data }), address }
  } catch {
    return undefined
  }
}

/** The kit contracts' custom error in a failed call's revert data (e.g. `ReferrerCapReached`), or undefined. */
export function decodeReferralKitError(revertData: Hex): { errorName: string; args: readonly unknown[] } | undefined {
  return decodeCustomError(referralKitEventsAndErrorsAbi, revertData)
}
