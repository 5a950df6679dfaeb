import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { mainnetBlocksDir } from '@parallel-evm/fixtures'
import { scratchDir } from './scratchDir.js'

type BlockJson = Record<string, unknown> & { transactions: Record<string, unknown>[] }

/** Copies a shared mainnet block into a temporary snapshot layout, with `edit` applied to block.json. */
export function editedBlockDir(block: string, edit: (json: BlockJson) => void): string {
  const root = scratchDir('pevm-bad')
  const blockDir = join(root, 'blocks', block)
  mkdirSync(dirname(blockDir), { recursive: true })
  cpSync(join(mainnetBlocksDir(), block), blockDir, { recursive: true })
  for (const shared of ['bytecodes.json.gz', 'block_hashes.json']) symlinkSync(join(mainnetBlocksDir(), '..', shared), join(root, shared))
  const file = join(blockDir, 'block.json')
  const json = JSON.parse(readFileSync(file, 'utf8'))
  edit(json)
  writeFileSync(file, JSON.stringify(json))
  return blockDir
}

