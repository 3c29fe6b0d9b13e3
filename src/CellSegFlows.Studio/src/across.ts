import { api, artifactUrl, type ArtifactRecord, type MetricSeries } from './api';
import { appendAll, h, s, time } from './dom';
import { formatNumber } from './chart';
import type { View } from './main';

const W = 900, H = 340, PAD = 56;

/**
 * A metric over the runs of a workflow (#/metrics/WORKFLOW?metric=NAME&aggregate=last): x is the run's start time,
 * y the run's value; a run that produced a registered model's champion is drawn as a star and named.
 */
export const metricsView: View = async (root, _ctx, params, path) => {
  const workflowId = path[0];
  const workflows = await api.workflows();
  const names = workflowId ? await api.metricNames(workflowId).catch(() => []) : [];
  const metric = params.get('metric') ?? names[0]?.name ?? '';
  const aggregate = params.get('aggregate') ?? 'last';
  const go = (w: string, m: string, a: string) => { location.hash = `#/metrics/${encodeURIComponent(w)}?${new URLSearchParams({ metric: m, aggregate: a })}`; };
  const workflowSelect = h('select', { 'data-testid': 'metrics-workflow' }, h('option', { value: '' }, 'choose a workflow…'), workflows.map((w) => h('option', { value: w.id, selected: w.id === workflowId }, w.id)));
  const metricSelect = h('select', { 'data-testid': 'metrics-name' }, names.map((n) => h('option', { value: n.name, selected: n.name === metric }, `${n.name} (${n.runs} run${n.runs === 1 ? '' : 's'})`)));
  const aggregateSelect = h('select', { 'data-testid': 'metrics-aggregate' }, ['last', 'min', 'max'].map((a) => h('option', { value: a, selected: a === aggregate }, `${a} value of a run`)));
  workflowSelect.addEventListener('change', () => { location.hash = `#/metrics/${encodeURIComponent(workflowSelect.value)}`; });
  metricSelect.addEventListener('change', () => go(workflowId, metricSelect.value, aggregateSelect.value));
  aggregateSelect.addEventListener('change', () => go(workflowId, metricSelect.value, aggregateSelect.value));
  const body = h('div', {});
  appendAll(root, h('div', { class: 'toolbar' }, h('h1', {}, 'Metrics across runs'), workflowSelect, workflowId && names.length > 0 && [metricSelect, aggregateSelect]), body);
  if (!workflowId) { body.append(h('p', { class: 'muted' }, 'Choose a workflow to plot a metric over its runs.')); return; }
  if (names.length === 0) { body.append(h('p', { class: 'muted' }, 'No run of this workflow reported a metric yet.')); return; }
  const series = await api.metricSeries(workflowId, metric, aggregate);
  appendAll(body, h('div', { class: 'card' }, overRuns(series)), pointTable(series));
};

function overRuns(series: MetricSeries): Node {
  const points = series.points;
  if (points.length === 0) return h('p', { class: 'muted' }, 'No run reported this metric.');
  const xs = points.map((p) => new Date(p.startedAt).getTime()), ys = points.map((p) => p.value);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const sx = (x: number) => PAD + ((x - x0) / (x1 - x0 || 1)) * (W - PAD * 1.6);
  const sy = (y: number) => H - PAD - ((y - y0) / (y1 - y0 || 1)) * (H - PAD * 1.8);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'chart over-runs', 'data-testid': 'metric-over-runs', 'data-metric': series.metric });
  svg.appendChild(s('line', { x1: PAD, y1: H - PAD, x2: W - PAD / 2, y2: H - PAD, class: 'axis' }));
  svg.appendChild(s('line', { x1: PAD, y1: PAD / 2, x2: PAD, y2: H - PAD, class: 'axis' }));
  svg.appendChild(s('text', { x: PAD - 6, y: H - PAD, 'text-anchor': 'end', class: 'tick' }, formatNumber(y0)));
  svg.appendChild(s('text', { x: PAD - 6, y: PAD * 0.9, 'text-anchor': 'end', class: 'tick' }, formatNumber(y1)));
  svg.appendChild(s('text', { x: PAD, y: H - PAD + 16, class: 'tick' }, time(points[0].startedAt)));
  svg.appendChild(s('text', { x: W - PAD / 2, y: H - PAD + 16, 'text-anchor': 'end', class: 'tick' }, time(points[points.length - 1].startedAt)));
  svg.appendChild(s('text', { x: W / 2, y: H - 8, 'text-anchor': 'middle', class: 'tick' }, 'run start'));
  svg.appendChild(s('polyline', { points: points.map((p, i) => `${sx(xs[i])},${sy(p.value)}`).join(' '), class: 'series' }));
  points.forEach((p, i) => {
    const x = sx(xs[i]), y = sy(p.value);
    const label = `${p.runId} · ${time(p.startedAt)} · ${series.metric} ${formatNumber(p.value)}${p.champions.length ? ` · champion: ${p.champions.join(', ')}` : ''}`;
    const link = s('a', { href: `#/run/${encodeURIComponent(p.runId)}`, 'data-point': p.runId });
    if (p.champions.length > 0) {
      const r = 9, star = Array.from({ length: 10 }, (_, k) => { const a = -Math.PI / 2 + (k * Math.PI) / 5, d = k % 2 === 0 ? r : r * 0.45; return `${x + d * Math.cos(a)},${y + d * Math.sin(a)}`; }).join(' ');
      link.appendChild(s('polygon', { points: star, class: 'champion', 'data-champion': p.champions.join(', ') }, s('title', {}, label)));
      link.appendChild(s('text', { x, y: y - 14, 'text-anchor': 'middle', class: 'champion-label' }, `champion ${p.champions.join(', ')}`));
    } else {
      link.appendChild(s('circle', { cx: x, cy: y, r: p.status === 'Succeeded' ? 4 : 3, class: `point state-${p.status.toLowerCase()}` }, s('title', {}, label)));
    }
    svg.appendChild(link);
  });
  return h('figure', { class: 'chart-box wide' }, h('figcaption', {}, `${series.metric} (${series.aggregate} value of each run) over ${points.length} run${points.length === 1 ? '' : 's'} of ${series.workflowId}`), svg as unknown as Node);
}

function pointTable(series: MetricSeries): HTMLElement {
  return h('table', { class: 'table small', 'data-testid': 'metric-points' },
    h('thead', {}, h('tr', {}, ['run', 'started', 'status', 'version', series.metric, 'step', 'reports', 'models'].map((c) => h('th', {}, c)))),
    h('tbody', {}, [...series.points].reverse().map((p) => h('tr', {},
      h('td', {}, h('a', { href: `#/run/${encodeURIComponent(p.runId)}` }, p.runId)),
      h('td', {}, time(p.startedAt)),
      h('td', {}, h('span', { class: `pill state-${p.status.toLowerCase()}` }, p.status)),
      h('td', {}, h('code', {}, p.definitionHash.slice(0, 10))),
      h('td', {}, formatNumber(p.value)),
      h('td', {}, p.stepId.slice(p.runId.length + 1)),
      h('td', {}, String(p.reports)),
      h('td', {}, p.champions.map((c) => h('span', { class: 'pill champion' }, `★ ${c}`)), p.registered.filter((r) => !p.champions.includes(r)).join(', '))))));
}

/** The lineage of an artifact (#/artifact/HASH): who made it from what, and who used it since. */
export const lineageView: View = async (root, _ctx, _params, path) => {
  const lineage = await api.lineage(path[0]);
  const step = (st: (typeof lineage.producers)[number]) => h('li', {},
    h('a', { href: `#/run/${encodeURIComponent(st.runId)}` }, st.runId), ` · ${st.workflowId} · node `, h('code', {}, st.stepId.slice(st.runId.length + 1)),
    st.activity && ` (${st.activity})`, st.time && ` · ${time(st.time)}`);
  appendAll(root,
    h('div', { class: 'toolbar' }, h('h1', {}, `Artifact ${lineage.name}`), h('code', {}, lineage.hash.slice(0, 16)), `${lineage.size.toLocaleString('en')} B`,
      h('a', { class: 'button', href: artifactUrl({ hash: lineage.hash, name: lineage.name } as ArtifactRecord), download: lineage.name }, 'Download')),
    h('div', { class: 'lineage', 'data-testid': 'lineage' },
      h('section', { class: 'card', 'data-testid': 'lineage-inputs' }, h('h3', {}, 'Made from'), lineage.inputs.length === 0 ? h('p', { class: 'muted' }, 'No artifact among its producer\'s inputs.') :
        h('ul', {}, lineage.inputs.map((a) => h('li', {}, h('a', { href: `#/artifact/${a.hash}`, 'data-lineage-input': a.name }, a.name), ` · input `, h('code', {}, a.input ?? ''), ` · ${a.size.toLocaleString('en')} B`)))),
      h('section', { class: 'card', 'data-testid': 'lineage-producers' }, h('h3', {}, 'Produced by'), h('ul', {}, lineage.producers.map(step))),
      h('section', { class: 'card', 'data-testid': 'lineage-consumers' }, h('h3', {}, 'Used by'), lineage.consumers.length === 0 ? h('p', { class: 'muted' }, 'No later step used it.') :
        h('ul', {}, lineage.consumers.map(step)), lineage.consumersTruncated && h('p', { class: 'muted small' }, 'The first 200 uses are shown.'),
        lineage.modelVersions.length > 0 && [h('h4', {}, 'Registered as'), h('ul', {}, lineage.modelVersions.map((m) => h('li', {}, m)))])));
};

