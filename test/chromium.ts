/// <reference lib="dom" />
// pageDefects runs in the page: it needs the DOM types.
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'

const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** Where the browser tests leave their screenshots: CI keeps this folder as an artifact. */
export const SCREENSHOT_DIR = resolve(__dirname, '../test-artifacts/screenshots')

/** A chart (`svg.chart`) as drawn: its marks (paths, rects, lines), its symbols (points) among them, and its labelled axes. */
export interface ChartSummary {
  id: string
  marks: number
  symbols: number
  axes: number
}

/** What a page showed in headless Debian chromium, and every defect `pageDefects` found in it. */
export interface PageInspection {
  /** Console errors and uncaught exceptions. */
  errors: string[]
  defects: string[]
  charts: ChartSummary[]
  screenshot: string
}

/**
 * Loads `file` in Debian's chromium (headless, the flags above, through playwright-core's CDP
 * client: no browser download), checks it with `pageDefects`, and saves a full-page screenshot as
 * `SCREENSHOT_DIR/<name>.png`.
 */
export async function inspectInChromium(file: string, name: string): Promise<PageInspection> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: chromiumFlags, headless: true })
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } })
    const errors: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text())
    })
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`file://${file}`)
    const { defects, charts } = await page.evaluate(pageDefects)
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    const screenshot = join(SCREENSHOT_DIR, `${name}.png`)
    await page.screenshot({ path: screenshot, fullPage: true })
    return { errors, defects, charts, screenshot }
  } finally {
    await browser.close()
  }
}

/**
 * Runs in the page: a chart (`svg.chart`) without a labelled axis or without marks, any text or mark of a
 * chart reaching outside its `<svg>` (a clipped label), a table without a header row, and an empty
 * header cell are defects. Self-contained: playwright sends its source to the page.
 */
export function pageDefects(): { defects: string[]; charts: ChartSummary[] } {
  const defects: string[] = []
  const charts: ChartSummary[] = []
  const svgs = Array.from(document.querySelectorAll('svg.chart'))
  if (svgs.length === 0) defects.push('the page has no chart')
  for (const svg of svgs) {
    const id = svg.id || '(a chart without id)'
    const box = svg.getBoundingClientRect()
    // Vega draws gridlines as axes of their own, without text: an axis counts when it is labelled.
    const axes = Array.from(svg.querySelectorAll('g.role-axis')).filter((axis) => axis.querySelector('text') !== null).length
    const marks = svg.querySelectorAll('g.role-mark > path, g.role-mark > rect, g.role-mark > line, g.role-mark > g > path').length
    charts.push({ id, marks, symbols: svg.querySelectorAll('g.mark-symbol.role-mark > path').length, axes })
    if (axes === 0) defects.push(`${id}: no axis`)
    if (marks === 0) defects.push(`${id}: nothing drawn`)
    for (const element of Array.from(svg.querySelectorAll('text, rect, path, line'))) {
      const inner = element.getBoundingClientRect()
      if (inner.width === 0 && inner.height === 0) continue
      const outside = inner.left < box.left - 1 || inner.right > box.right + 1 || inner.top < box.top - 1 || inner.bottom > box.bottom + 1
      if (outside) defects.push(`${id}: ${element.tagName} "${(element.textContent ?? '').slice(0, 40)}" reaches outside the chart (clipped)`)
    }
  }
  for (const [index, table] of Array.from(document.querySelectorAll('table')).entries()) {
    const headers = Array.from(table.querySelectorAll('thead th'))
    if (headers.length === 0) defects.push(`table ${index + 1}: no header row`)
    for (const header of headers) if ((header.textContent ?? '').trim() === '') defects.push(`table ${index + 1}: an empty header cell`)
  }
  return { defects, charts }
}
