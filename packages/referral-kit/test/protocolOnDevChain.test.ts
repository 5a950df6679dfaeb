import { bytesToHex } from '@ethereumjs/util'
import { createBlockFromRLP } from '@ethereumjs/block'
import type { Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { decodeReferralKitError, fraudKindOf, generateCampaign, readReferralKitEvents, summarizeReferralKit, type FraudKind } from '../src/index.js'
import { startDevChain } from './devChain.js'
import { TestChain } from './testChain.js'

describe('the protocol campaign on a live JSON-RPC dev chain', () => {
  it('behavior: its signed blocks replayed on Hardhat give, through getLogs and receipts, the analytics of its ground truth', async () => {
    const campaign = await generateCampaign({ seed: 5, users: 120, referrers: 6, blocks: 8, design: 'protocol' })
    const dev = await startDevChain((await TestChain.start(14)).accounts)
    for (const [address, account] of campaign.genesis.accounts) await dev.rpc('hardhat_setBalance', [address, `0x${(account.balance ?? 0n).toString(16)}`])
    await dev.rpc('evm_setAutomine', [false])
    const hashes: Hex[] = []
    try {
      for (const block of campaign.blocks) {
        if (block.input.block.format !== 'rlp') throw new Error('campaign blocks are RLP')
        const decoded = createBlockFromRLP(block.input.block.rlp, { common: campaign.common })
        for (const tx of decoded.transactions) hashes.push((await dev.rpc('eth_sendRawTransaction', [bytesToHex(tx.serialize())])) as Hex)
        await dev.rpc('evm_setNextBlockTimestamp', [Number(block.timestamp)])
        await dev.rpc('evm_mine')
        const mined = (await dev.rpc('eth_getBlockTransactionCountByNumber', ['latest'])) as Hex
        expect(Number(mined), `campaign block ${block.number}`).toBe(decoded.transactions.length)
      }
    } finally {
      await dev.rpc('evm_setAutomine', [true])
    }

    // Every transaction landed, in the campaign's order, with the status the model predicted.
    const receipts = await Promise.all(hashes.map((hash) => dev.publicClient.getTransactionReceipt({ hash })))
    expect(receipts.map((receipt) => (receipt.status === 'success' ? 1 : 0))).toEqual(campaign.transactions.map((tx) => tx.expectedStatus))
    const protocol = campaign.protocol!
    const records = await readReferralKitEvents(dev.publicClient, protocol, { fromBlock: receipts[0]!.blockNumber })
    expect(summarizeReferralKit(records)).toEqual(protocol.truth.summary)
    // A failed transaction leaves no log: its custom error comes from the node's trace.
    const fraudBlocked = Object.fromEntries(Object.keys(protocol.truth.fraudBlocked).map((kind) => [kind, 0])) as Record<FraudKind, number>
    for (const receipt of receipts.filter((r) => r.status !== 'success')) {
      const trace = (await dev.rpc('debug_traceTransaction', [receipt.transactionHash, { disableStorage: true, disableMemory: true, disableStack: true }])) as { returnValue: string }
      const kind = fraudKindOf(decodeReferralKitError(`0x${trace.returnValue.replace(/^0x/, '')}`)?.errorName ?? '')
      if (kind !== undefined) fraudBlocked[kind] += 1
    }
    expect(fraudBlocked).toEqual(protocol.truth.fraudBlocked)
    expect(protocol.truth.summary.claims.count).toBeGreaterThan(0)
  }, 180_000)
})
