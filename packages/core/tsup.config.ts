import { packageBuild } from '../../tsup.base'

// The lane worker is its own entry: worker threads load it as a file. `shims` gives the CJS
// build an `import.meta.url`, which the pool uses to find the worker.
export default packageBuild({ entry: ['src/index.ts', 'src/laneWorker.ts'], shims: true })
