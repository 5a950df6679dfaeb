/**
 * Progress on stderr: on a terminal, one bar redrawn in place with the rate and the time left;
 * piped (logs, CI, a supervising process), one plain line per step, so whoever reads it sees each
 * step as it starts.
 */
export interface Progress {
  update(done: number, note: string): void
  finish(): void
}

export function createProgress(total: number, label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (total === 0) return { update: () => {}, finish: () => {} }
  if (stream.isTTY !== true) {
    return {
      update: (done, note) => void stream.write(`${label} ${done}/${total} ${note}\n`),
      finish: () => {},
    }
  }
  const width = 30
  const started = performance.now()
  return {
    update(done, note) {
      const filled = Math.round((width * done) / total)
      const seconds = (performance.now() - started) / 1000
      const rate = done > 0 && seconds > 0 ? done / seconds : undefined
      const pace = rate === undefined ? '' : ` ${rate.toFixed(1)}/s, ${Math.ceil((total - done) / rate)} s left`
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${note}${pace}\u001b[K`)
    },
    finish() {
      stream.write('\n')
    },
  }
}
