import { packageBuild } from '../../tsup.base'

// The snapshot reader and the verification and check children are entries of their own: a worker thread and
// a child process load them as files. `shims` gives the CJS
// build an `import.meta.url`, which the backend uses to find it.
export default packageBuild({ entry: ['src/index.ts', 'src/snapshotReader.ts', 'src/verifyChild.ts', 'src/checkChild.ts'], shims: true })
