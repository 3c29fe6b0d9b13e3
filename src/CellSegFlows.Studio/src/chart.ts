import { h, s } from './dom';
import type { MetricRecord } from './api';

const W = 380, H = 180, PAD = 48;

/** One line chart per metric name that has values over steps; the rest as a table. */
export function metricCharts(metrics: MetricRecord[]): HTMLElement {
  const byName = new Map<string, MetricRecord[]>();
  for (const m of metrics) (byName.get(m.name) ?? byName.set(m.name, []).get(m.name)!).push(m);
  const charts: HTMLElement[] = [];
  const scalars: MetricRecord[] = [];
  for (const [name, list] of byName) {
    const stepped = list.filter((m) => m.iteration !== null);
    if (stepped.length >= 2) charts.push(lineChart(name, stepped));
    else scalars.push(...list);
  }
  return h('div', { class: 'metrics', 'data-testid': 'metrics' },
    h('div', { class: 'charts' }, charts),
    scalars.length > 0 && h('table', { class: 'table small' },
      h('thead', {}, h('tr', {}, h('th', {}, 'metric'), h('th', {}, 'value'), h('th', {}, 'step'))),
      h('tbody', {}, scalars.map((m) => h('tr', {}, h('td', {}, m.name), h('td', {}, formatNumber(m.value)), h('td', {}, shortStep(m.stepId)))))));
}

function lineChart(name: string, points: MetricRecord[]): HTMLElement {
  const sorted = [...points].sort((a, b) => (a.iteration! - b.iteration!));
  const xs = sorted.map((p) => p.iteration!), ys = sorted.map((p) => p.value);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const sx = (x: number) => PAD + ((x - x0) / (x1 - x0 || 1)) * (W - PAD * 1.5);
  const sy = (y: number) => H - PAD + -((y - y0) / (y1 - y0 || 1)) * (H - PAD * 1.6);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'chart', 'data-metric': name });
  svg.appendChild(s('line', { x1: PAD, y1: H - PAD, x2: W - PAD / 2, y2: H - PAD, class: 'axis' }));
  svg.appendChild(s('line', { x1: PAD, y1: PAD / 2, x2: PAD, y2: H - PAD, class: 'axis' }));
  svg.appendChild(s('text', { x: PAD - 4, y: H - PAD, 'text-anchor': 'end', class: 'tick' }, formatNumber(y0)));
  svg.appendChild(s('text', { x: PAD - 4, y: PAD * 0.6 + 4, 'text-anchor': 'end', class: 'tick' }, formatNumber(y1)));
  svg.appendChild(s('text', { x: PAD, y: H - PAD + 14, class: 'tick' }, String(x0)));
  svg.appendChild(s('text', { x: W - PAD / 2, y: H - PAD + 14, 'text-anchor': 'end', class: 'tick' }, `step ${x1}`));
  svg.appendChild(s('polyline', { points: sorted.map((p) => `${sx(p.iteration!)},${sy(p.value)}`).join(' '), class: 'series' }));
  for (const p of sorted) svg.appendChild(s('circle', { cx: sx(p.iteration!), cy: sy(p.value), r: 2.5, class: 'point' }, s('title', {}, `iteration ${p.iteration}: ${formatNumber(p.value)}`)));
  return h('figure', { class: 'chart-box' }, h('figcaption', {}, `${name} (${shortStep(sorted[0].stepId)})`), svg as unknown as Node);
}

export function formatNumber(v: number): string {
  return Math.abs(v) >= 1000 || Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

function shortStep(stepId: string): string {
  return stepId.slice(stepId.indexOf('/') + 1);
}
