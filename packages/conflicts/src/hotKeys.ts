import { type AddressHex, type StateKey } from '@parallel-evm/core'
import { parseStateKeyId } from '@parallel-evm/core/internal'
import type { DependencyGraph } from './dependencyGraph.js'
import { describeSlot, knownContracts } from './knownContracts.js'

export interface HotKey {
  key: string
  kind: StateKey['kind']
  address: AddressHex
  slot?: string
  /** Dependency edges that go through this key. */
  edges: number
  /** What the key is, where that is known (the coinbase, a sender, a field). */
  label: string
}

export interface HotKeyContext {
  coinbase: AddressHex
  senders: readonly AddressHex[]
  /** Names a storage slot the caller knows the layout of (e.g. `totalSignUps`), or undefined. */
  labelSlot?: SlotLabeller
}

export type SlotLabeller = (address: AddressHex, slot: string) => string | undefined

/** The keys the most dependency edges go through, hottest first (ties by key, for determinism). */
export function hotKeys(graph: DependencyGraph, context: HotKeyContext, limit = 10): HotKey[] {
  const senders = new Set(context.senders)
  return [...graph.edgesByKey]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .slice(0, limit)
    .map(([key, edges]) => {
      const parsed = parseStateKeyId(key)
      const known = knownContracts.get(parsed.address)?.name
      const who = parsed.address === context.coinbase ? 'coinbase' : senders.has(parsed.address) ? 'sender' : known !== undefined ? known : parsed.kind === 'storage' ? 'contract' : 'account'
      const slotName = parsed.kind === 'storage' ? (context.labelSlot?.(parsed.address, parsed.slot) ?? describeSlot(parsed.address, parsed.slot)) : undefined
      const label = parsed.kind === 'storage' ? `${slotName} of ${who} ${parsed.address}` : `${parsed.kind} of ${who} ${parsed.address}`
      return { key, kind: parsed.kind, address: parsed.address, ...(parsed.kind === 'storage' ? { slot: parsed.slot } : {}), edges, label }
    })
}
