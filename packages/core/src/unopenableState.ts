import { StateUnavailableError } from './errors.js'
import type { FlatAccount } from './types.js'
import type { WorkerStateReader } from './workerProtocol.js'

/**
 * The state of a worker whose state source failed to open: every read raises the reason, so the
 * tasks on it come back as typed errors (counted in `stateUnavailable`; the optimistic scheduler
 * re-runs them on the calling thread) instead of reading an empty state.
 */
export class UnopenableState implements WorkerStateReader {
  constructor(private readonly reason: string) {}

  getAccount(): FlatAccount | undefined {
    return this.fail()
  }

  getStorage(): bigint {
    return this.fail()
  }

  getCode(): Uint8Array | undefined {
    return this.fail()
  }

  hasStorage(): boolean {
    return this.fail()
  }

  private fail(): never {
    throw new StateUnavailableError({ reason: `the worker could not open it: ${this.reason}` })
  }
}
