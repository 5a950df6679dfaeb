/**
 * How a parallel scheduler's run of one block ends: exactly once, settled or failed, whichever
 * comes first, with the time the coordinating thread spent on it. Worker callbacks go through
 * `coordinate`, so a throw there fails the block instead of escaping into the event loop.
 */
export class RunSettlement {
  settled = false
  /** Time the coordinating thread spent scheduling, validating and re-running, in ms. */
  coordinatorMs = 0
  readonly done: Promise<void>
  private resolve: () => void = () => {}
  private reject: (error: unknown) => void = () => {}

  /** `onEnd` runs once when the run ends either way (e.g. to wake a waiting loop). */
  constructor(private readonly onEnd: () => void = () => {}) {
    this.done = new Promise<void>((resolve, reject) => ((this.resolve = resolve), (this.reject = reject)))
  }

  /** Runs coordinator work, timing it; a throw fails the block. */
  coordinate(work: () => void): void {
    const started = performance.now()
    try {
      work()
    } catch (error) {
      this.fail(error)
    }
    this.coordinatorMs += performance.now() - started
  }

  settle(): void {
    if (this.settled) return
    this.settled = true
    this.onEnd()
    this.resolve()
  }

  fail(error: unknown): void {
    if (this.settled) return
    this.settled = true
    this.onEnd()
    this.reject(error)
  }
}
