import type { TopLevelSpec } from 'vega-lite'

/** Spec parts every chart of our reports shares: the page's font, no label truncation, a white background. */
const CONFIG: NonNullable<TopLevelSpec['config']> = {
  font: 'system-ui, sans-serif',
  background: 'white',
  axis: { labelLimit: 0, titleFontWeight: 'normal' },
  legend: { labelLimit: 0 },
  title: { anchor: 'start', fontSize: 14 },
}

/**
 * A Vega-Lite chart rendered to a static SVG in Node (axes, gridlines, legends and titles by Vega):
 * the page needs no script and no network. Without a canvas, Vega estimates text widths
 * generously, so labels are laid out wider than a browser draws them, never narrower.
 * The `<svg>` carries `id` and the class `chart`, which the headless-browser test looks for.
 * Vega and Vega-Lite load on the first chart: they take about half a second to import, which every
 * importer of the kit (the CLI on each command) would otherwise pay for charts it never draws.
 */
export async function renderChart(id: string, spec: TopLevelSpec): Promise<string> {
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')])
  const { spec: vega } = compile({ ...spec, config: { ...CONFIG, ...spec.config } } as TopLevelSpec)
  const view = new View(parse(vega), { renderer: 'none' })
  try {
    const svg = await view.toSVG()
    const title = spec.title
    const text = typeof title === 'object' && !Array.isArray(title) ? title.text : title
    const label = typeof text === 'string' ? text : id
    return svg.replace(/^<svg /, `<svg id="${id}" role="img" aria-label="${escapeHtml(label)}" `).replace(/class="marks"/, 'class="marks chart"')
  } finally {
    view.finalize()
  }
}

/** Text for HTML content or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
}
