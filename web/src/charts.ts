import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom.js';

/** Charts of the ops center and the portfolios, drawn with uPlot; this module loads only on those views. */

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
}

const WIDTH = 460;
const HEIGHT = 190;

/** The figures behind a chart, for screen readers and for anyone who would rather read them. */
function dataTable(caption: string, labels: string[], series: Series[], format: (n: number) => string) {
  return h(
    'table',
    { class: 'sr-only' },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h('tr', {}, h('th', { scope: 'col' }, ''), ...series.map((s) => h('th', { scope: 'col' }, s.label))),
    ),
    h(
      'tbody',
      {},
      ...labels.map((label, i) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, label),
          ...series.map((s) => h('td', {}, s.values[i] === null ? '—' : format(s.values[i]!))),
        ),
      ),
    ),
  );
}

const legend = (series: Series[]) =>
  h(
    'ul',
    { class: 'chart-legend' },
    ...series.map((s) => h('li', {}, h('span', { class: 'swatch', style: `background:${s.color}` }), s.label)),
  );

function figure(title: string, labels: string[], series: Series[], format: (n: number) => string) {
  const canvas = h('div', { class: 'chart-canvas', role: 'img', 'aria-label': `${title}: chart` });
  const element = h(
    'figure',
    { class: 'chart' },
    h('figcaption', {}, title),
    canvas,
    legend(series),
    dataTable(title, labels, series, format),
  );
  return { element, canvas };
}

/** Values per day (ISO dates), one line per series, or bars with `bars`. */
export function dailyChart(
  title: string,
  days: string[],
  series: Series[],
  options: { format?: (n: number) => string; bars?: boolean; max?: number } = {},
): HTMLElement {
  const format = options.format ?? String;
  const { element, canvas } = figure(title, days, series, format);
  const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const paths = options.bars ? uPlot.paths.bars!({ size: [0.6, 12] }) : undefined;
  new uPlot(
    {
      width: WIDTH,
      height: HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true }, y: options.max === undefined ? {} : { range: [0, options.max] } },
      axes: [{ stroke: '#596171' }, { stroke: '#596171', values: (_u, ticks) => ticks.map(format) }],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          fill: options.bars ? s.color : undefined,
          paths,
          // A day alone among empty ones still shows as a dot.
          points: { show: !options.bars, size: 5, fill: s.color },
          spanGaps: true,
        })),
      ],
    },
    [xs, ...series.map((s) => s.values)] as uPlot.AlignedData,
    canvas,
  );
  return element;
}

/** One bar per category (asset classes, say), signed values around zero. */
export function categoryChart(
  title: string,
  labels: string[],
  series: Series,
  format: (n: number) => string,
): HTMLElement {
  const { element, canvas } = figure(title, labels, [series], format);
  const values = series.values.map((v) => v ?? 0);
  const reach = Math.max(0.01, ...values.map(Math.abs)) * 1.2;
  new uPlot(
    {
      width: WIDTH,
      height: HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: [-reach, reach] } },
      axes: [
        {
          stroke: '#596171',
          splits: () => labels.map((_, i) => i),
          values: (_u, ticks) => ticks.map((t) => labels[t] ?? ''),
        },
        { stroke: '#596171', values: (_u, ticks) => ticks.map(format) },
      ],
      series: [
        {},
        {
          label: series.label,
          stroke: series.color,
          fill: series.color,
          paths: uPlot.paths.bars!({ size: [0.6, 60] }),
        },
      ],
    },
    [labels.map((_, i) => i), values],
    canvas,
  );
  return element;
}
