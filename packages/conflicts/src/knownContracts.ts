import type { AddressHex } from '@parallel-evm/core'

/**
 * Mainnet contracts that turn up among hot keys, by address, so a report can say "WETH9" rather
 * than an address. Slot meanings are given where the layout is well known and the slot is a plain
 * variable (mapping entries are hashes and cannot be named without their key).
 */
export interface KnownContract {
  name: string
  slots?: Readonly<Partial<Record<number, string>>>
}

export const knownContracts: ReadonlyMap<AddressHex, KnownContract> = new Map<AddressHex, KnownContract>([
  ['0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', { name: 'WETH9' }],
  ['0xdac17f958d2ee523a2206206994597c13d831ec7', { name: 'USDT', slots: { 0: 'owner', 1: 'totalSupply' } }],
  ['0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', { name: 'USDC (proxy)' }],
  ['0x6b175474e89094c44da98b954eedeac495271d0f', { name: 'DAI', slots: { 1: 'totalSupply' } }],
  ['0x7a250d5630b4cf539739df2c5dacb4c659f2488d', { name: 'Uniswap V2 Router02' }],
  ['0xe592427a0aece92de3edee1f18e0157c05861564', { name: 'Uniswap V3 SwapRouter' }],
  ['0x68b3465833fb72a70ecdf485e0e4c7bd8665fc45', { name: 'Uniswap V3 SwapRouter02' }],
  ['0x3fc91a3afd70395cd496c647d5a6cc9d4b2b7fad', { name: 'Uniswap Universal Router' }],
  ['0x00000000219ab540356cbb839cbe05303d7705fa', { name: 'Beacon deposit contract' }],
  ['0x000f3df6d732807ef1319fb7b8bb8522d0beac02', { name: 'EIP-4788 beacon roots' }],
])

/** "slot 8", or its known meaning, for a slot that is a small integer; the hash otherwise. */
export function describeSlot(address: AddressHex, slot: string): string {
  const index = BigInt(slot)
  if (index >= 1024n) return `slot ${slot}`
  const meaning = knownContracts.get(address)?.slots?.[Number(index)]
  return meaning === undefined ? `slot ${index}` : `slot ${index} (${meaning})`
}
