/** The options every pevm command accepts. */
export interface CommonFlags {
  scheduler: string
  state: string
  workers: number
  json: boolean
}
