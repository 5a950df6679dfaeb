import { Common } from '@ethereumjs/common'

interface FastCommonFields {
  _activatedEIPsCache: readonly number[]
  /** The EIP list `_eipBits` was built from; a Common replaces (never mutates) its list. */
  _eipBitsOf: readonly number[] | undefined
  _eipBits: Uint8Array
}

/**
 * `updateParams({})` rebuilds the whole parameter cache (every hardfork's and EIP's parameters)
 * although nothing changed, and every transaction constructor calls it once or twice with the
 * `params: {}` the block path decodes with. The cache it would rebuild is the one it already has
 * (the parameters and the fork are unchanged, and `setHardfork` rebuilds on its own).
 */
function updateParams(this: Common, params: Parameters<Common['updateParams']>[0]): void {
  for (const _ in params) return Common.prototype.updateParams.call(this, params)
}

/**
 * `isActivatedEIP` scans the fork's EIP list (`Array.includes`); the interpreter asks it on every
 * opcode (EIP-6800/7864, neither active, so the whole list). The list is replaced, never mutated,
 * when the fork or the EIPs change, so a bitmap built once per list answers the same.
 */
function isActivatedEIP(this: Common, eip: number): boolean {
  const self = this as unknown as FastCommonFields
  const list = self._activatedEIPsCache
  if (self._eipBitsOf !== list) {
    let max = 0
    for (const activated of list) if (activated > max) max = activated
    const bits = new Uint8Array(max + 1)
    for (const activated of list) bits[activated] = 1
    self._eipBits = bits
    self._eipBitsOf = list
  }
  return self._eipBits[eip] === 1
}

/**
 * Gives `common` (and, since `Common.copy` copies own properties, every copy made of it later:
 * the block's, each transaction's, the lanes' EVMs') the two look-ups above. Answers are unchanged.
 */
export function fastParamsCommon(common: Common): Common {
  const target = common as unknown as Record<string, unknown>
  target.updateParams = updateParams
  target.isActivatedEIP = isActivatedEIP
  // Declared up front so every copy has the same shape; filled on first use.
  target._eipBitsOf = undefined
  target._eipBits = new Uint8Array(0)
  return common
}
