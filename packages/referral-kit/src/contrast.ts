import { encodeDeployData, encodeFunctionData, type Hex } from 'viem'
import { naiveReferralProgramAbi, naiveReferralProgramBytecode } from './generated/naiveReferralProgram.js'

/*
 * The naive contrast design (contracts/NaiveReferralProgram.sol): global counters and an on-chain
 * leaderboard, so no two of its transactions run in parallel. It is what the demo and the
 * benchmarks measure the kit's program against, never something to deploy: it locks every wei
 * paid in and its codes can be front-run. Hence this separate entry point,
 * `@parallel-evm/referral-kit/contrast`, instead of the kit's main one.
 */

export {
  naiveReferralProgramAbi,
  naiveReferralProgramBytecode,
  naiveReferralProgramRuntimeBytecode,
  naiveReferralProgramStorageLayout,
} from './generated/naiveReferralProgram.js'

export type NaiveReferralProgramAbi = typeof naiveReferralProgramAbi

/** Creation code plus constructor arguments: a flat reward per conversion, and the smallest converting purchase. */
export function deployNaiveReferralProgramData(rewardWei: bigint, minPurchase: bigint): Hex {
  return encodeDeployData({ abi: naiveReferralProgramAbi, bytecode: naiveReferralProgramBytecode, args: [rewardWei, minPurchase] })
}

/** Calldata for each of the naive design's entry points. */
export const naiveReferralCalls = {
  registerCode: (code: Hex) => encodeFunctionData({ abi: naiveReferralProgramAbi, functionName: 'registerCode', args: [code] }),
  signUp: (code: Hex) => encodeFunctionData({ abi: naiveReferralProgramAbi, functionName: 'signUp', args: [code] }),
  purchase: () => encodeFunctionData({ abi: naiveReferralProgramAbi, functionName: 'purchase' }),
  claim: () => encodeFunctionData({ abi: naiveReferralProgramAbi, functionName: 'claim' }),
} as const
