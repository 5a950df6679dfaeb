/** The transactions ready to execute, lowest index first (Block-STM runs the block's front first). */
export class ReadyQueue {
  private readonly heap: number[] = []

  get size(): number {
    return this.heap.length
  }

  push(index: number): void {
    const heap = this.heap
    heap.push(index)
    let child = heap.length - 1
    while (child > 0) {
      const parent = (child - 1) >> 1
      if (heap[parent]! <= index) break
      heap[child] = heap[parent]!
      child = parent
    }
    heap[child] = index
  }

  pop(): number | undefined {
    const heap = this.heap
    const top = heap[0]
    const last = heap.pop()
    if (heap.length === 0 || last === undefined) return top
    let parent = 0
    for (;;) {
      let child = 2 * parent + 1
      if (child >= heap.length) break
      if (child + 1 < heap.length && heap[child + 1]! < heap[child]!) child++
      if (heap[child]! >= last) break
      heap[parent] = heap[child]!
      parent = child
    }
    heap[parent] = last
    return top
  }
}
