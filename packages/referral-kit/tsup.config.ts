import { packageBuild } from '../../tsup.base'

// The naive contrast design has its own entry point, so that the main one exports only what to deploy.
export default packageBuild({ entry: ['src/index.ts', 'src/contrast.ts'] })
