/**
 * ethereumjs turns a 256-bit stack word into memory or storage-key bytes through a hex string, a
 * regex check and two array spreads (`setLengthLeft(bigIntToBytes(word), 32)`), and bytes back into
 * a word through another hex string; on mainnet blocks that is a few percent of execution and much
 * of its garbage. These conversions give the same bytes and words directly.
 */
const NIBBLE = new Uint8Array(128)
for (let i = 0; i < 16; i++) NIBBLE['0123456789abcdef'.charCodeAt(i)] = i
const HEX_PAIRS = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))

/** `value` (0 ≤ value < 2^256) as 32 big-endian bytes. */
export function wordToBytes(value: bigint): Uint8Array {
  const out = new Uint8Array(32)
  if (value === 0n) return out
  const hex = value.toString(16)
  let end = hex.length
  let at = 31
  for (; end >= 2; end -= 2) out[at--] = (NIBBLE[hex.charCodeAt(end - 2)]! << 4) | NIBBLE[hex.charCodeAt(end - 1)]!
  if (end === 1) out[at] = NIBBLE[hex.charCodeAt(0)]!
  return out
}

/** Big-endian bytes as an unsigned integer. */
export function bytesToWord(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n
  let hex = '0x'
  for (let i = 0; i < bytes.length; i++) hex += HEX_PAIRS[bytes[i]!]
  return BigInt(hex)
}

/** The parts of ethereumjs's (10.1.x) run state the handlers below touch. */
interface RunState {
  stack: { pop(): bigint; popN(count: number): bigint[]; push(value: bigint): void }
  memory: { read(offset: number, size: number, avoidCopy?: boolean): Uint8Array; write(offset: number, size: number, value: Uint8Array): void }
  interpreter: { storageLoad(key: Uint8Array): Promise<Uint8Array> }
}
interface OpcodeEntry {
  opcodeInfo: { code: number }
  opHandler: (runState: RunState) => unknown
}

// The same steps as ethereumjs's MLOAD, MSTORE and SLOAD, with the conversions above.
const handlers: ReadonlyArray<[number, OpcodeEntry['opHandler']]> = [
  [
    0x51,
    (runState) => {
      const offset = runState.stack.pop()
      runState.stack.push(bytesToWord(runState.memory.read(Number(offset), 32, true)))
    },
  ],
  [
    0x52,
    (runState) => {
      const [offset, word] = runState.stack.popN(2) as [bigint, bigint]
      runState.memory.write(Number(offset), 32, wordToBytes(word))
    },
  ],
  [
    0x54,
    async (runState) => {
      const key = runState.stack.pop()
      const value = await runState.interpreter.storageLoad(wordToBytes(key))
      runState.stack.push(bytesToWord(value))
    },
  ],
]

/**
 * Gives `evm` (a lane's, whose fork never changes) the handlers above in its opcode table. An EVM
 * whose table does not look as expected keeps ethereumjs's own handlers.
 */
export function fastWordOpcodes(evm: object): void {
  const table = (evm as { _opcodeMap?: OpcodeEntry[] })._opcodeMap
  if (!Array.isArray(table)) return
  for (const [code, opHandler] of handlers) {
    const entry = table[code]
    if (entry?.opcodeInfo?.code === code) table[code] = { ...entry, opHandler }
  }
}
