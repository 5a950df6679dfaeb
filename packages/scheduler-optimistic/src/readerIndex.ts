import { type AddressHex, type ReadSet } from '@parallel-evm/core'
import { ALL_STORAGE, type VersionChange } from '@parallel-evm/core/internal'

/**
 * Which executed transactions read which keys, so that a write that changes a value re-validates
 * only the transactions that read it (instead of Block-STM's wave over every later transaction).
 */
export class ReaderIndex {
  private readonly fieldReaders = new Map<string, Set<number>>()
  private readonly slotReaders = new Map<string, Set<number>>()
  private readonly storageReaders = new Map<AddressHex, Set<number>>()
  private readonly readsOf: (string[] | undefined)[] = []

  /** Replaces what transaction `index` read. */
  set(index: number, readSet: ReadSet): void {
    this.clear(index)
    const ids = [...readSet.keys()]
    this.readsOf[index] = ids
    for (const id of ids) {
      const address = id.slice(0, 42) as AddressHex
      if (id[42] === ':') {
        readersOf(this.slotReaders, id).add(index)
        readersOf(this.storageReaders, address).add(index)
      } else readersOf(this.fieldReaders, id).add(index)
    }
  }

  clear(index: number): void {
    for (const id of this.readsOf[index] ?? []) {
      const address = id.slice(0, 42) as AddressHex
      if (id[42] === ':') {
        this.slotReaders.get(id)?.delete(index)
        this.storageReaders.get(address)?.delete(index)
      } else this.fieldReaders.get(id)?.delete(index)
    }
    this.readsOf[index] = undefined
  }

  /**
   * The transactions after `writer` that read a key `change` names and can see `writer`'s value:
   * up to `shadow(key)`, the next transaction whose own write hides it.
   */
  affected(change: VersionChange, writer: number, shadow: (id: string) => number): Set<number> {
    const found = new Set<number>()
    const add = (readers: Set<number> | undefined, last: number) => {
      if (readers !== undefined) for (const reader of readers) if (reader > writer && reader <= last) found.add(reader)
    }
    for (const id of change.accounts) add(this.fieldReaders.get(id), shadow(id))
    for (const id of change.slots) add(this.slotReaders.get(id), shadow(id))
    // A lifecycle write reaches every slot of the account; the next lifecycle write hides it.
    for (const address of change.storageOf) add(this.storageReaders.get(address), shadow(address + ALL_STORAGE))
    return found
  }
}

function readersOf<K>(map: Map<K, Set<number>>, key: K): Set<number> {
  let readers = map.get(key)
  if (readers === undefined) {
    readers = new Set()
    map.set(key, readers)
  }
  return readers
}
