// A plain-text table for the terminal: a header, a rule, then one line per row; text columns are
// left-aligned and numbers right-aligned, so columns of figures line up digit for digit.

/**
 * @param {{ title: string, align?: 'left' | 'right' }[]} columns
 * @param {string[][]} rows cells already formatted, one string per column
 * @returns {string} the table, lines joined by newlines, two spaces between columns
 */
export function formatTable(columns, rows) {
  const widths = columns.map((column, i) => Math.max(column.title.length, ...rows.map((row) => row[i].length)))
  const line = (cells) =>
    cells
      .map((cell, i) => (columns[i].align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd()
  return [line(columns.map((column) => column.title)), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n')
}
