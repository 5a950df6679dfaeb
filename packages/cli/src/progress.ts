/**
 * Progress on stderr: on a terminal, one bar redrawn in place with the rate and the time left;
 * piped (logs, CI, a supervising process), one plain line per step, so whoever reads it sees each
 * step as it starts (or nothing, with `pipedLines: false`, for callers that print a line per step
 * of their own).
 */
export interface Progress {
  update(done: number, note: string): void
  /** Prints `line` to `stream` (stdout by default) without tearing the bar: it is cleared, then drawn again. */
  print(line: string, stream?: NodeJS.WriteStream): void
  finish(): void
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream
  /** Piped, print one line per step (default true). */
  pipedLines?: boolean
}

export function createProgress(total: number, label: string, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr
  const plainPrint = (line: string, to: NodeJS.WriteStream = process.stdout) => void to.write(`${line}\n`)
  if (total === 0) return { update: () => {}, print: plainPrint, finish: () => {} }
  if (stream.isTTY !== true) {
    return {
      update: (done, note) => void (options.pipedLines !== false && stream.write(`${label} ${done}/${total} ${note}\n`)),
      print: plainPrint,
      finish: () => {},
    }
  }
  const width = 30
  const started = performance.now()
  let bar = ''
  return {
    update(done, note) {
      const filled = Math.round((width * done) / total)
      const seconds = (performance.now() - started) / 1000
      const rate = done > 0 && seconds > 0 ? done / seconds : undefined
      const pace = rate === undefined ? '' : ` ${rate.toFixed(1)}/s, ${Math.ceil((total - done) / rate)} s left`
      // Cut to the terminal's width: a line that wraps leaves a stale copy behind at every redraw.
      bar = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${note}${pace}`.slice(0, Math.max(1, (stream.columns ?? 80) - 1))
      stream.write(`\r${bar}\u001b[K`)
    },
    print(line, to = process.stdout) {
      stream.write('\r\u001b[K')
      to.write(`${line}\n`)
      if (bar !== '') stream.write(`\r${bar}\u001b[K`)
    },
    finish() {
      if (bar !== '') stream.write('\n')
    },
  }
}
