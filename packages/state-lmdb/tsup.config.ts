import { packageBuild } from '../../tsup.base'

// The snapshot reader is its own entry: worker threads import it as a file. `shims` gives the CJS
// build an `import.meta.url`, which the backend uses to find it.
export default packageBuild({ entry: ['src/index.ts', 'src/snapshotReader.ts'], shims: true })
