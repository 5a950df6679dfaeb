import { type StateBackend, type WorkerPool, type WorkerStats } from '@parallel-evm/core'
import { withWorkerState, type TaskResult, type WorkerIdentity, type WorkerRequest } from '@parallel-evm/core/internal'

/** The messages a coordinator sends a shard (see the README's protocol section). */
export type ShardRequest = Extract<WorkerRequest, { type: 'execute' | 'speculate' | 'digest' }>

/** A shard as a transport reaches it: `generation` changes when the shard was replaced (its replica lost). */
export type ShardIncarnation = WorkerIdentity

/**
 * How the coordinator reaches its shards. Delivery assumptions an implementation must keep: a
 * message reaches its shard whole and at most once per incarnation; messages to one shard are
 * handled in the order they were sent; every message gets exactly one reply. A shard that dies is
 * replaced by a new incarnation, and the messages it had not answered are built again for it
 * (`build` runs once per delivery, so a message carries exactly what that incarnation lacks).
 * A transport that cannot deliver rejects with a typed error; the block then commits nothing.
 */
export interface ShardTransport {
  readonly shards: number
  /** The id of the parent state every shard holds; requests carry it. */
  readonly stateId: number
  /** Runs `work` with `backend`'s committed state as every shard's parent state, then lets it go. */
  withParentState<T>(backend: StateBackend, work: () => Promise<T>): Promise<{ value: T; stateBytes: number }>
  /** Delivers the message `build` makes (undefined: nothing to send after all) to `shard`; resolves with its reply. */
  send(shard: number, build: (messageId: number, incarnation: ShardIncarnation) => ShardRequest | undefined): Promise<TaskResult[]>
  /** Per shard, the messages and bytes so far both ways and the time it spent on them. */
  traffic(): readonly WorkerStats[]
}

/**
 * The default transport: each shard is a worker thread of `pool`, reached over its MessagePort
 * (`postMessage` of a `v8.serialize` buffer, transferred). A message may wait in the shard's own
 * queue behind the one it runs, so a shard never idles for a round trip.
 */
export function workerThreadTransport(pool: WorkerPool): ShardTransport {
  return {
    shards: pool.size,
    get stateId() {
      return pool.stateId
    },
    withParentState: (backend, work) => withWorkerState(pool, backend, work),
    send: (shard, build) => pool.submit(build, { worker: shard, queueBehind: true }),
    traffic: () => pool.stats(),
  }
}
