/** The options every pevm command accepts. */
export interface CommonFlags {
  scheduler: string
  state: string
  workers: number
  json: boolean
  /** The lmdb database directory (--db). */
  db?: string
}
