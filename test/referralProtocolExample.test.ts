import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const example = resolve(__dirname, '../examples/referral-protocol/src/main.mjs')

describe('examples/referral-protocol (a swap integrating the kit, on Hardhat)', () => {
  it('behavior: the referred trader pays the tier discount once the referrer qualifies, and the referrer is paid every reward', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [example], { timeout: 120_000 })
    expect(stdout).toContain('alice swaps 1 ETH: fee 0.0027 ETH (10% off)')
    expect(stdout).toMatch(/from getLogs: 2 sign-ups, 2 qualified, 3 rewarded swaps, accrued 0\.00114 ETH, claimed 0\.00114 ETH, badges 1/)
    expect(stdout).toContain('OK: the referred trader pays the tier discount')
  })
})
