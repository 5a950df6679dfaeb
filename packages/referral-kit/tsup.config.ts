import { packageBuild } from '../../tsup.base'

// The naive contrast design has its own entry point, so that the main one exports only what to
// deploy; so has the chart renderer, whose Vega-Lite types are large.
export default packageBuild({ entry: ['src/index.ts', 'src/contrast.ts', 'src/chart.ts'] })
