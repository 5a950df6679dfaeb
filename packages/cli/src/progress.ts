/** A one-line progress bar on stderr, drawn only on a terminal so logs and pipes stay clean. */
export interface Progress {
  update(done: number, note: string): void
  finish(): void
}

export function createProgress(total: number, label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY !== true || total === 0) return { update: () => {}, finish: () => {} }
  const width = 30
  return {
    update(done, note) {
      const filled = Math.round((width * done) / total)
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${note}\u001b[K`)
    },
    finish() {
      stream.write('\n')
    },
  }
}
