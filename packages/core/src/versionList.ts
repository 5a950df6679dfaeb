/**
 * The versions of one key (or account) written by a block's transactions, sorted by transaction
 * index, so "the latest write before transaction i" is a binary search.
 */
export class VersionList<T> {
  readonly indices: number[] = []
  readonly values: T[] = []

  /** Position of the greatest transaction index below `index`, or -1 when none is. */
  below(index: number): number {
    let low = 0
    let high = this.indices.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.indices[mid]! < index) low = mid + 1
      else high = mid
    }
    return low - 1
  }

  set(index: number, value: T): void {
    const position = this.below(index) + 1
    if (this.indices[position] === index) this.values[position] = value
    else {
      this.indices.splice(position, 0, index)
      this.values.splice(position, 0, value)
    }
  }

  delete(index: number): void {
    const position = this.below(index) + 1
    if (this.indices[position] !== index) return
    this.indices.splice(position, 1)
    this.values.splice(position, 1)
  }

  get size(): number {
    return this.indices.length
  }
}
