import type { AccountWrite, AddressHex, StateKey, StateReader, WriteSet } from './types.js'

export function createWriteSet(): WriteSet {
  return { accounts: new Map(), codes: new Map() }
}

/** Applies `later` on top of `into` (both in block order), leaving `into` as their combined effect. */
export function mergeWriteSet(into: WriteSet, later: WriteSet): WriteSet {
  for (const [hash, code] of later.codes) into.codes.set(hash, code)
  for (const [address, write] of later.accounts) {
    const existing = into.accounts.get(address)
    into.accounts.set(address, existing === undefined ? cloneAccountWrite(write) : mergeAccountWrite(existing, write))
  }
  return into
}

function cloneAccountWrite(write: AccountWrite): AccountWrite {
  return { ...write, storage: new Map(write.storage) }
}

function mergeAccountWrite(earlier: AccountWrite, later: AccountWrite): AccountWrite {
  // A lifecycle change resets the account, so whatever came before it no longer matters.
  if (later.lifecycle !== undefined) return cloneAccountWrite(later)
  const merged: AccountWrite = { ...earlier, storage: earlier.storage }
  for (const [field, delta] of deltaFields) {
    const absolute = later[field]
    if (absolute !== undefined) {
      merged[field] = absolute
      delete merged[delta]
    }
    const increment = later[delta]
    if (increment === undefined) continue
    const current = merged[field]
    if (current !== undefined) merged[field] = current + increment
    else merged[delta] = (merged[delta] ?? 0n) + increment
  }
  if (later.codeHash !== undefined) merged.codeHash = later.codeHash
  for (const [slot, value] of later.storage) merged.storage.set(slot, value)
  return merged
}

/** The fields that can be written either absolutely or as a commutative delta. */
const deltaFields = [
  ['balance', 'balanceDelta'],
  ['nonce', 'nonceDelta'],
] as const

/**
 * Replaces every delta (balance credits, sender-chain nonce increments and debits) with the
 * absolute value it gives on top of `before`, the state the write set applies to. Backends only
 * ever receive absolute writes.
 */
export function resolveDeltas(writeSet: WriteSet, before: StateReader): WriteSet {
  for (const [address, write] of writeSet.accounts) {
    for (const [field, delta] of deltaFields) {
      const increment = write[delta]
      if (increment === undefined) continue
      write[field] = (before.getAccount(address)?.[field] ?? 0n) + increment
      delete write[delta]
    }
  }
  return writeSet
}

/** The addresses a write set credits commutatively (balance deltas). */
export function creditedAddresses(writeSet: WriteSet): AddressHex[] {
  const credited: AddressHex[] = []
  for (const [address, write] of writeSet.accounts) if (write.balanceDelta !== undefined) credited.push(address)
  return credited
}

/** The keys a write set touches with absolute values, at field granularity; a lifecycle change is an `existence` write. Balance credits are not listed (see `creditedAddresses`). */
export function writtenKeys(writeSet: WriteSet): StateKey[] {
  const keys: StateKey[] = []
  for (const [address, write] of writeSet.accounts) pushAccountKeys(keys, address, write)
  return keys
}

function pushAccountKeys(keys: StateKey[], address: AddressHex, write: AccountWrite): void {
  if (write.lifecycle !== undefined) keys.push({ kind: 'existence', address })
  if (write.balance !== undefined) keys.push({ kind: 'balance', address })
  if (write.nonce !== undefined) keys.push({ kind: 'nonce', address })
  if (write.codeHash !== undefined) keys.push({ kind: 'code', address })
  for (const slot of write.storage.keys()) keys.push({ kind: 'storage', address, slot })
}
