// `npm run demo` builds first; a user should see the demo, not turbo's and tsup's 150 lines. The
// build's output is kept and printed only if it fails (then with turbo's exit code).
import { spawn } from 'node:child_process'

const started = performance.now()
const turbo = spawn('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { stdio: ['ignore', 'pipe', 'pipe'] })
const output = []
turbo.stdout.on('data', (chunk) => output.push(chunk))
turbo.stderr.on('data', (chunk) => output.push(chunk))
turbo.on('close', (code) => {
  if (code === 0) {
    process.stderr.write(`built in ${((performance.now() - started) / 1000).toFixed(0)} s\n`)
    return
  }
  process.stderr.write(Buffer.concat(output))
  process.exitCode = code ?? 1
})
