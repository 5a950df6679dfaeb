/*
 * `@parallel-evm/referral-kit/chart`: Vega-Lite specs rendered to static SVG, as the campaign report
 * draws its charts. A separate entry point so that the main one's types do not pull in Vega-Lite's
 * (a type check of an app importing the kit took about twice as long with them).
 */
export { renderChart } from './report/chart.js'
