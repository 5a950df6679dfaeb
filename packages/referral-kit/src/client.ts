import {
  decodeEventLog,
  encodeAbiParameters,
  encodeDeployData,
  encodeFunctionData,
  keccak256,
  parseSignature,
  type ContractEventName,
  type DecodeEventLogReturnType,
  type Hex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { decodeCustomError, hexLog, type ReferralLogInput } from './logInput.js'
import { referralProgramAbi, referralProgramBytecode } from './generated/referralProgram.js'

export type ReferralProgramAbi = typeof referralProgramAbi

/** Settings fixed at deployment (the Solidity `Config` struct). Times in seconds, amounts in wei. */
export interface ProgramConfig {
  verifier: Hex
  epochLength: bigint
  vestingDelay: bigint
  maxCycleDepth: number
  signUpCapPerEpoch: number
  payoutCapPerEpoch: bigint
  minPurchase: bigint
  programEnd: bigint
  claimWindow: bigint
  /** Sign-ups only with the verifier's attestation (`signUpWithAttestation`); plain `signUp` is refused. */
  requireAttestation: boolean
}

export interface Tier {
  minQualified: number
  rewardWei: bigint
}

export interface Season {
  start: bigint
  end: bigint
  /** 10,000 is no bonus; 15,000 pays 1.5x. */
  bonusBps: number
}

/** The verifier's EIP-712 statement that `referee` passed the identity check and may sign up with `code`. */
export interface SignUpAttestation {
  referee: Hex
  code: Hex
  deadline: bigint
  nonce: bigint
}

export interface AttestationSignature {
  v: number
  r: Hex
  s: Hex
}

/** Creation code plus ABI-encoded constructor arguments for the kit's program. */
export function deployReferralProgramData(config: ProgramConfig, tiers: readonly Tier[], season: Season): Hex {
  return encodeDeployData({ abi: referralProgramAbi, bytecode: referralProgramBytecode, args: [config, tiers, season] })
}

/** The code `registerCode(salt)` gives `owner`: keccak256(abi.encode(owner, salt)), as the contract derives it. */
export function codeFor(owner: Hex, salt: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'bytes32' }], [owner, salt]))
}

/** Calldata for each of the kit program's entry points, typed from the solc ABI. */
export const referralCalls = {
  registerCode: (salt: Hex) => encodeFunctionData({ abi: referralProgramAbi, functionName: 'registerCode', args: [salt] }),
  proposeCodeTransfer: (code: Hex, to: Hex) => encodeFunctionData({ abi: referralProgramAbi, functionName: 'proposeCodeTransfer', args: [code, to] }),
  acceptCodeTransfer: (code: Hex) => encodeFunctionData({ abi: referralProgramAbi, functionName: 'acceptCodeTransfer', args: [code] }),
  signUp: (code: Hex) => encodeFunctionData({ abi: referralProgramAbi, functionName: 'signUp', args: [code] }),
  signUpWithAttestation: (attestation: Pick<SignUpAttestation, 'code' | 'deadline' | 'nonce'>, signature: AttestationSignature) =>
    encodeFunctionData({
      abi: referralProgramAbi,
      functionName: 'signUpWithAttestation',
      args: [attestation.code, attestation.deadline, attestation.nonce, signature.v, signature.r, signature.s],
    }),
  purchase: () => encodeFunctionData({ abi: referralProgramAbi, functionName: 'purchase' }),
  claim: (referees: readonly Hex[]) => encodeFunctionData({ abi: referralProgramAbi, functionName: 'claim', args: [referees] }),
  setTiers: (tiers: readonly Tier[]) => encodeFunctionData({ abi: referralProgramAbi, functionName: 'setTiers', args: [tiers] }),
  setSeason: (season: Season) => encodeFunctionData({ abi: referralProgramAbi, functionName: 'setSeason', args: [season] }),
  transferOwnership: (to: Hex) => encodeFunctionData({ abi: referralProgramAbi, functionName: 'transferOwnership', args: [to] }),
  acceptOwnership: () => encodeFunctionData({ abi: referralProgramAbi, functionName: 'acceptOwnership' }),
  withdraw: (to: Hex, amount: bigint) => encodeFunctionData({ abi: referralProgramAbi, functionName: 'withdraw', args: [to, amount] }),
} as const

/**
 * The verifier's signature over a sign-up (EIP-712 domain `ReferralProgram`, version 1), split
 * into the `v`, `r`, `s` that `signUpWithAttestation` takes.
 */
export function signSignUpAttestation(verifierKey: Hex, attestation: SignUpAttestation, domain: { chainId: number; program: Hex }): Promise<AttestationSignature> {
  return signAttestation(verifierKey, attestation, { name: 'ReferralProgram', chainId: domain.chainId, verifyingContract: domain.program })
}

/** The verifier's signature over a sign-up at a `ReferralRegistry` (EIP-712 domain `ReferralRegistry`, version 1). */
export function signRegistryAttestation(verifierKey: Hex, attestation: SignUpAttestation, domain: { chainId: number; registry: Hex }): Promise<AttestationSignature> {
  return signAttestation(verifierKey, attestation, { name: 'ReferralRegistry', chainId: domain.chainId, verifyingContract: domain.registry })
}

async function signAttestation(
  verifierKey: Hex,
  attestation: SignUpAttestation,
  domain: { name: string; chainId: number; verifyingContract: Hex },
): Promise<AttestationSignature> {
  const signature = await privateKeyToAccount(verifierKey).signTypedData({
    domain: { ...domain, version: '1' },
    types: {
      SignUp: [
        { name: 'referee', type: 'address' },
        { name: 'code', type: 'bytes32' },
        { name: 'deadline', type: 'uint256' },
        { name: 'nonce', type: 'uint256' },
      ],
    },
    primaryType: 'SignUp',
    message: attestation,
  })
  const { r, s, v, yParity } = parseSignature(signature)
  return { v: v === undefined ? 27 + yParity : Number(v), r, s }
}

export type { ReferralLogInput }

export type ReferralEvent = DecodeEventLogReturnType<ReferralProgramAbi, ContractEventName<ReferralProgramAbi>>

/**
 * A log of the kit's program as a typed event, or undefined for a log it did not emit. With
 * `program`, a log from any other address is undefined too: another contract may emit events of the
 * same signature (another program instance, or a look-alike), and only the address tells them apart.
 */
export function decodeReferralLog(log: ReferralLogInput, options: { program?: Hex } = {}): ReferralEvent | undefined {
  const { address, topics, data } = hexLog(log)
  if (options.program !== undefined && address?.toLowerCase() !== options.program.toLowerCase()) return undefined
  if (topics.length === 0) return undefined
  try {
    return decodeEventLog({ abi: referralProgramAbi, topics: topics as [Hex, ...Hex[]], data })
  } catch {
    return undefined
  }
}

/** The custom error in a failed call's revert data (e.g. `ReferrerCapReached`), or undefined. */
export function decodeReferralError(revertData: Hex): { errorName: string; args: readonly unknown[] } | undefined {
  return decodeCustomError(referralProgramAbi, revertData)
}
