import { packageBuild } from '../../tsup.base'

export default packageBuild({ entry: ['src/index.ts', 'src/main.ts'], format: ['esm'] })
