import { keccak256 } from '@parallel-evm/core'
import { bigIntToBytes, bytesToBigInt, concatBytes, hexToBytes, setLengthLeft } from '@ethereumjs/util'
import type { AddressHex } from '@parallel-evm/core'
import type { Campaign } from './campaign/types.js'
import { naiveReferralProgramStorageLayout } from './generated/naiveReferralProgram.js'
import { referralProgramStorageLayout } from './generated/referralProgram.js'

interface LayoutType {
  encoding: string
  label: string
  bytes: number
  key?: string
  value?: string
  base?: string
}

interface StorageLayout {
  storage: readonly { label: string; slot: number; type: string }[]
  types: Readonly<Record<string, LayoutType>>
}

/** Week numbers tried for mappings keyed by epoch. */
const EPOCHS = 64
const ARRAY_ENTRIES = 16

/**
 * Names the program's storage slots from solc's storage layout: plain variables by name, array
 * entries by index, and mapping entries for every account of the campaign (the keys a hash hides),
 * e.g. `totalSignUps`, `leaderboard[3]`, `signUpsInEpoch[0x0b7c…f00f][2]`. For conflict reports.
 */
export function programSlotLabeller(campaign: Pick<Campaign, 'design' | 'program' | 'blocks' | 'referrers'>): (address: AddressHex, slot: string) => string | undefined {
  const layout: StorageLayout = campaign.design === 'kit' ? referralProgramStorageLayout : naiveReferralProgramStorageLayout
  const accounts = new Set<AddressHex>(campaign.referrers)
  for (const block of campaign.blocks) for (const sender of block.input.senders ?? []) accounts.add(sender)
  const labels = new Map<bigint, string>()
  for (const variable of layout.storage) label(layout, variable.type, BigInt(variable.slot), variable.label, [...accounts], labels)
  return (address, slot) => (address === campaign.program ? labels.get(BigInt(slot)) : undefined)
}

function label(layout: StorageLayout, typeId: string, slot: bigint, name: string, accounts: AddressHex[], labels: Map<bigint, string>): void {
  const type = layout.types[typeId]!
  if (type.encoding === 'mapping') {
    const keys: [Uint8Array, string][] =
      type.key === 't_address'
        ? accounts.map((a) => [setLengthLeft(hexToBytes(a), 32), `${a.slice(0, 6)}…${a.slice(-4)}`])
        : type.key === 't_uint256'
          ? Array.from({ length: EPOCHS }, (_, e) => [setLengthLeft(bigIntToBytes(BigInt(e)), 32), String(e)])
          : []
    for (const [key, text] of keys) label(layout, type.value!, bytesToBigInt(keccak256(concatBytes(key, setLengthLeft(bigIntToBytes(slot), 32)))), `${name}[${text}]`, accounts, labels)
    if (keys.length === 0) labels.set(slot, `${name} (mapping base)`)
    return
  }
  if (type.encoding === 'dynamic_array') {
    labels.set(slot, `${name}.length`)
    const first = bytesToBigInt(keccak256(setLengthLeft(bigIntToBytes(slot), 32)))
    const slotsPerEntry = BigInt(Math.max(1, Math.ceil(layout.types[type.base!]!.bytes / 32)))
    for (let i = 0n; i < BigInt(ARRAY_ENTRIES); i++) label(layout, type.base!, first + i * slotsPerEntry, `${name}[${i}]`, accounts, labels)
    return
  }
  const slots = Math.max(1, Math.ceil(type.bytes / 32))
  if (type.base !== undefined) {
    for (let i = 0; i < slots; i++) labels.set(slot + BigInt(i), `${name}[${i}]`)
    return
  }
  for (let i = 0; i < slots; i++) labels.set(slot + BigInt(i), slots === 1 ? name : `${name} (word ${i})`)
}
