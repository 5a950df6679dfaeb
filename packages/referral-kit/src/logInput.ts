import { bytesToHex, decodeErrorResult, type Abi, type Hex } from 'viem'

/**
 * A log in either form the kit meets: as JSON-RPC and viem's `getLogs` give it (hex fields), or as
 * our executor's outcomes and receipts hold it (ethereumjs's `[address, topics, data]` in bytes).
 */
export type ReferralLogInput =
  | { readonly address?: Hex; readonly topics: readonly Hex[]; readonly data: Hex }
  | readonly [address: Uint8Array, topics: readonly Uint8Array[], data: Uint8Array]

/** The hex form of either log shape. */
export function hexLog(log: ReferralLogInput): { address: Hex | undefined; topics: readonly Hex[]; data: Hex } {
  if ('topics' in log) return { address: log.address, topics: log.topics, data: log.data }
  return { address: bytesToHex(log[0]), topics: log[1].map((topic) => bytesToHex(topic)), data: bytesToHex(log[2]) }
}

/** The custom error of `abi` in a failed call's revert data, or undefined for anything else. */
export function decodeCustomError(abi: Abi, revertData: Hex): { errorName: string; args: readonly unknown[] } | undefined {
  if (revertData.length < 10) return undefined
  try {
    const decoded = decodeErrorResult({ abi, data: revertData })
    return { errorName: decoded.errorName, args: decoded.args ?? [] }
  } catch {
    return undefined
  }
}
