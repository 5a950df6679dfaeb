import { describe, expect, it } from 'vitest'
import { PriorityQueue } from '../src/priorityQueue.js'

/** xorshift32, so a failure replays. */
function seeded(seed: number): (below: number) => number {
  let state = seed >>> 0 || 1
  return (below) => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) % below
  }
}

const drain = (queue: PriorityQueue): number[] => {
  const out: number[] = []
  for (let index = queue.pop(); index !== undefined; index = queue.pop()) out.push(index)
  return out
}

describe('PriorityQueue', () => {
  it('behavior: pops the highest priority first', () => {
    const queue = new PriorityQueue([5n, 100n, 1n, 50n, 7n])
    for (const index of [0, 1, 2, 3, 4]) queue.push(index)
    expect(queue.size).toBe(5)
    expect(drain(queue)).toEqual([1, 3, 4, 0, 2])
    expect(queue.size).toBe(0)
  })

  it('behavior: equal priorities pop lowest index first, whatever the push order', () => {
    const queue = new PriorityQueue([3n, 3n, 9n, 3n, 9n, 3n])
    for (const index of [5, 3, 4, 1, 0, 2]) queue.push(index)
    expect(drain(queue)).toEqual([2, 4, 0, 1, 3, 5])
  })

  it('behavior: an empty queue pops undefined, and stays usable', () => {
    const queue = new PriorityQueue([1n, 2n])
    expect(queue.pop()).toBeUndefined()
    queue.push(0)
    expect(queue.pop()).toBe(0)
    expect(queue.pop()).toBeUndefined()
    queue.push(1)
    queue.push(0)
    expect(drain(queue)).toEqual([1, 0])
  })

  it('behavior: many random pushes and pops agree with a sorted reference', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = seeded(seed)
      const count = 500
      // Few distinct priorities, so ties are common.
      const priorities = Array.from({ length: count }, () => BigInt(random(seed % 2 === 0 ? 8 : 1_000_000)))
      const queue = new PriorityQueue(priorities)
      const reference: number[] = []
      const order = (a: number, b: number) => (priorities[a]! > priorities[b]! ? -1 : priorities[a]! < priorities[b]! ? 1 : a - b)
      let next = 0
      const popped: number[] = []
      const expected: number[] = []
      while (next < count || reference.length > 0) {
        if (next < count && (reference.length === 0 || random(3) !== 0)) {
          queue.push(next)
          reference.push(next++)
        } else {
          reference.sort(order)
          expected.push(reference.shift()!)
          popped.push(queue.pop()!)
        }
        expect(queue.size).toBe(reference.length)
      }
      expect(popped, `seed ${seed}`).toEqual(expected)
      expect(queue.pop()).toBeUndefined()
    }
  })
})
