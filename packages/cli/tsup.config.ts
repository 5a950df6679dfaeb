import { packageBuild } from '../../tsup.base'

// `./progress` is its own entry so the bench and the demo can draw a bar without loading every
// scheduler and backend the main entry brings.
export default packageBuild({ entry: ['src/index.ts', 'src/main.ts', 'src/progress.ts'] })
