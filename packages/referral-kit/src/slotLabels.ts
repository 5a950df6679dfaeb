import { keccak256 } from '@parallel-evm/core'
import { bigIntToBytes, bytesToBigInt, concatBytes, hexToBytes, setLengthLeft } from '@ethereumjs/util'
import type { AddressHex } from '@parallel-evm/core'
import type { Campaign } from './campaign/types.js'
import { naiveReferralProgramStorageLayout } from './generated/naiveReferralProgram.js'
import { referralProgramStorageLayout } from './generated/referralProgram.js'
import { referralBadgesStorageLayout } from './generated/referralBadges.js'
import { referralMintStorageLayout } from './generated/referralMint.js'
import { referralRegistryStorageLayout } from './generated/referralRegistry.js'
import { referralRewardsStorageLayout } from './generated/referralRewards.js'

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
 * e.g. `totalSignUps`, `leaderboard[3]`, `signUpsInEpoch[0x0b7c…f00f][2]`. On the protocol design,
 * the slots of the registry, the vault, the badges and the mint, each under its contract's name
 * (`rewards.buckets[7]`, `registry.qualifiedOf[0x0b7c…f00f]`). For conflict reports.
 */
export function programSlotLabeller(campaign: Pick<Campaign, 'design' | 'program' | 'blocks' | 'referrers' | 'protocol'>): (address: AddressHex, slot: string) => string | undefined {
  const accounts = new Set<AddressHex>(campaign.referrers)
  for (const block of campaign.blocks) for (const sender of block.input.senders ?? []) accounts.add(sender)
  const contracts: [AddressHex, string, StorageLayout][] =
    campaign.protocol === undefined
      ? [[campaign.program, '', campaign.design === 'kit' ? referralProgramStorageLayout : naiveReferralProgramStorageLayout]]
      : [
          [campaign.protocol.registry, 'registry.', referralRegistryStorageLayout],
          [campaign.protocol.rewards, 'rewards.', referralRewardsStorageLayout],
          [campaign.protocol.badges, 'badges.', referralBadgesStorageLayout],
          [campaign.protocol.mint, 'mint.', referralMintStorageLayout],
        ]
  const labelsOf = new Map<AddressHex, Map<bigint, string>>()
  for (const [address, prefix, layout] of contracts) {
    const labels = new Map<bigint, string>()
    for (const variable of layout.storage) label(layout, variable.type, BigInt(variable.slot), `${prefix}${variable.label}`, [...accounts], labels)
    labelsOf.set(address, labels)
  }
  return (address, slot) => labelsOf.get(address)?.get(BigInt(slot))
}

/**
 * Labels one variable's slots. A mapping keyed by address inside another (ERC-1155 operator
 * approvals: accounts squared) is left as its base: the campaign never writes one, and expanding it
 * would hash every pair of accounts.
 */
function label(layout: StorageLayout, typeId: string, slot: bigint, name: string, accounts: AddressHex[], labels: Map<bigint, string>, underAddressKey = false): void {
  const type = layout.types[typeId]!
  if (type.encoding === 'mapping') {
    const byAddress = type.key === 't_address'
    const keys: [Uint8Array, string][] =
      byAddress && !underAddressKey
        ? accounts.map((a) => [setLengthLeft(hexToBytes(a), 32), `${a.slice(0, 6)}…${a.slice(-4)}`])
        : type.key === 't_uint256'
          ? Array.from({ length: EPOCHS }, (_, e) => [setLengthLeft(bigIntToBytes(BigInt(e)), 32), String(e)])
          : []
    for (const [key, text] of keys) {
      label(layout, type.value!, bytesToBigInt(keccak256(concatBytes(key, setLengthLeft(bigIntToBytes(slot), 32)))), `${name}[${text}]`, accounts, labels, underAddressKey || byAddress)
    }
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
