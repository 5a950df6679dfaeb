import { packageBuild } from '../../tsup.base'

// The lane worker is its own entry: worker threads load it as a file. `shims` gives the CJS
// build an `import.meta.url`, which the pool uses to find the worker. `./internal` is a second
// entry of the same library, so both builds split shared code into chunks: a CommonJS app that
// loads both entries must see one copy of the error classes and the active crypto provider.
export default packageBuild({ entry: ['src/index.ts', 'src/internal.ts', 'src/laneWorker.ts'], shims: true, splitting: true })
