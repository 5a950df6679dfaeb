import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bytesToHex } from '@ethereumjs/util'
import { BASE_FEE_PER_GAS, type GeneratedAccount } from '@parallel-evm/fixtures'
import { createPublicClient, createWalletClient, custom, defineChain, type Chain, type EIP1193Provider, type Hex, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { ReferralKitWallet } from '../src/index.js'

/** Chain id 1, as on the tests' executor chain, so attestations sign over the same domain on both. */
export const devChain: Chain = defineChain({
  id: 1,
  name: 'Hardhat (in-process, chain id 1)',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: ['http://127.0.0.1:8545'] } },
})

export interface DevChain {
  provider: EIP1193Provider
  publicClient: PublicClient
  wallet: (account: GeneratedAccount) => ReferralKitWallet
  /** Moves the chain's clock on and mines a block. */
  advance: (seconds: bigint) => Promise<void>
  /** Hardhat's own JSON-RPC methods (`evm_mine`, `hardhat_setBalance`, `debug_traceTransaction`). */
  rpc: (method: string, params?: unknown[]) => Promise<unknown>
}

/**
 * Hardhat's in-process network (EDR), offline, at Cancun, funding the given accounts with 1,000 ETH
 * each: the same accounts as the executor's test chain, so contract addresses match when both run
 * the same transactions. One per process: Hardhat's runtime is a singleton, configured here
 * through `HARDHAT_CONFIG` before its first import, so later calls get the same chain.
 */
export function startDevChain(accounts: readonly GeneratedAccount[]): Promise<DevChain> {
  started ??= start(accounts)
  return started
}

let started: Promise<DevChain> | undefined

async function start(accounts: readonly GeneratedAccount[]): Promise<DevChain> {
  const dir = mkdtempSync(join(tmpdir(), 'pevm-hardhat-'))
  const config = {
    networks: {
      hardhat: {
        chainId: 1,
        hardfork: 'cancun',
        // Before the generated campaigns' blocks (Cancun's activation, March 2024), so they replay at their own timestamps.
        initialDate: '2024-01-01T00:00:00Z',
        // Blocks hold what is sent, in the order sent, as a replayed campaign block needs.
        mining: { mempool: { order: 'fifo' } },
        blockGasLimit: 1_000_000_000,
        // Our generated blocks' base fee, which their transactions' fee caps are set against.
        initialBaseFeePerGas: Number(BASE_FEE_PER_GAS),
        accounts: accounts.map((account) => ({ privateKey: bytesToHex(account.privateKey), balance: (1_000n * 10n ** 18n).toString() })),
      },
    },
  }
  writeFileSync(join(dir, 'hardhat.config.cjs'), `module.exports = ${JSON.stringify(config)}\n`)
  process.env.HARDHAT_CONFIG = join(dir, 'hardhat.config.cjs')
  process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = 'true'
  const hardhat = (await import('hardhat')).default
  const provider = withRevertCodes(hardhat.network.provider as unknown as EIP1193Provider)
  const transport = custom(provider)
  const publicClient = createPublicClient({ chain: devChain, transport })
  // Hardhat's own methods are outside viem's typed EIP-1193 schema.
  const rpc = (method: string, params?: unknown[]) => (provider.request as unknown as (args: { method: string; params?: unknown[] }) => Promise<unknown>)({ method, ...(params === undefined ? {} : { params }) })
  return {
    provider,
    publicClient,
    wallet: (account) => createWalletClient({ account: privateKeyToAccount(bytesToHex(account.privateKey) as Hex), chain: devChain, transport }),
    advance: async (seconds) => {
      await rpc('evm_increaseTime', [Number(seconds)])
      await rpc('evm_mine')
    },
    rpc,
  }
}

/**
 * Hardhat's in-process provider throws reverts with their data but without EIP-1474's code 3
 * ("execution reverted") that a JSON-RPC server sends, and viem decodes a revert's custom error only
 * from such an error. This adds the code, as Hardhat's own viem plugin does.
 */
function withRevertCodes(provider: EIP1193Provider): EIP1193Provider {
  const request = provider.request.bind(provider) as (args: unknown) => Promise<unknown>
  return {
    ...provider,
    on: provider.on.bind(provider),
    removeListener: provider.removeListener.bind(provider),
    request: (async (args: unknown) => {
      try {
        return await request(args)
      } catch (error) {
        const { data, code, message } = error as { data?: unknown; code?: unknown; message?: string }
        if (typeof data === 'string' && data.startsWith('0x') && typeof code !== 'number') throw Object.assign(new Error(message), { code: 3, data })
        throw error
      }
    }) as EIP1193Provider['request'],
  }
}
