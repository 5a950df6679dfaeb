import { listMainnetBlocks } from '@parallel-evm/fixtures'

/**
 * The mainnet blocks `npm test` runs: one or more per fork, the fork boundaries, and the largest
 * London-to-Shanghai blocks (21 of 52, to keep CI in its time budget). `PEVM_FULL=1` (npm run
 * test:full) runs all 52.
 */
const ciSubset = [
  '46147', '116525', '1150000', '2462997', '2641321', '2675000', '4330482', '4370000', '5891667', '7280000',
  '9069000', '12047794', '12244000', '13287210', '15537393', '15537394', '17666333', '19910734',
  '19923400', '19933122', '19934116',
]

export const fullMatrix = process.env.PEVM_FULL === '1'

export function mainnetBlocksUnderTest(): string[] {
  const all = listMainnetBlocks()
  if (fullMatrix) return all
  const chosen = all.filter((dir) => ciSubset.some((n) => dir.endsWith(`/${n}`)))
  if (chosen.length !== ciSubset.length) throw new Error(`expected ${ciSubset.length} CI blocks in the shared fixtures, found ${chosen.length}`)
  return chosen
}
