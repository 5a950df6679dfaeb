/**
 * Transaction indices in a binary heap, first the one `before` puts first: the ready queues of the
 * parallel schedulers, which pick from thousands of transactions on every dispatch.
 */
export class IndexHeap {
  private readonly heap: number[] = []

  constructor(private readonly before: (a: number, b: number) => boolean) {}

  get size(): number {
    return this.heap.length
  }

  push(index: number): void {
    const heap = this.heap
    heap.push(index)
    let at = heap.length - 1
    while (at > 0) {
      const parent = (at - 1) >> 1
      if (!this.before(index, heap[parent]!)) break
      heap[at] = heap[parent]!
      at = parent
    }
    heap[at] = index
  }

  pop(): number | undefined {
    const heap = this.heap
    const top = heap[0]
    const last = heap.pop()
    if (top === undefined || last === undefined || heap.length === 0) return top
    let at = 0
    for (;;) {
      const left = 2 * at + 1
      if (left >= heap.length) break
      const right = left + 1
      const child = right < heap.length && this.before(heap[right]!, heap[left]!) ? right : left
      if (!this.before(heap[child]!, last)) break
      heap[at] = heap[child]!
      at = child
    }
    heap[at] = last
    return top
  }
}
