import { runMainnetBlock, type BlockReport } from '../runMainnetBlock.js'
import type { CommonFlags } from '../flags.js'

export async function runRunCommand(blockDir: string, flags: CommonFlags): Promise<number> {
  const { report } = await runMainnetBlock(blockDir, flags)
  console.log(flags.json ? JSON.stringify(report) : formatReport(report))
  return report.ok ? 0 : 1
}

function mark(match: boolean | null): string {
  if (match === null) return '- not checkable before Byzantium'
  return match ? 'ok matches header' : 'MISMATCH with header'
}

function formatReport(report: BlockReport): string {
  return [
    `block ${report.block}: ${report.txCount} transactions, scheduler ${report.scheduler}, state ${report.state}`,
    `  gasUsed       ${report.gasUsed.padEnd(66)} ${mark(report.matches.gasUsed)}`,
    `  receiptsRoot  ${report.receiptsRoot.padEnd(66)} ${mark(report.matches.receiptsRoot)}`,
    `  logsBloom     ${(report.logsBloom.slice(0, 18) + '…').padEnd(66)} ${mark(report.matches.logsBloom)}`,
    `  stateRoot     ${report.stateRoot ?? '- (backend computes no root)'}`,
    `  executeMs     ${report.executeMs}`,
    ...report.omissions.map((omission) => `  note: not applied: ${omission}`),
    report.ok ? 'OK' : 'FAILED: a checkable field differs from the header',
  ].join('\n')
}
