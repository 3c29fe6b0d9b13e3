import { api, type RunComparison } from './api';
import { appendAll, h } from './dom';
import type { View } from './main';

/**
 * Two runs' score tables side by side (#/compare?a=RUN_A&b=RUN_B, picked in the runs list): per metric, every model of
 * either run with run A's value, run B's value and the delta B − A, green where B is better and red where worse (AFNR:
 * lower is better). What a change of data, model or budget did, at a glance.
 */
export const compareView: View = async (root, _ctx, params) => {
  const a = params.get('a') ?? '';
  const b = params.get('b') ?? '';
  if (!a || !b) {
    appendAll(root, h('h1', {}, 'Compare runs'), h('p', { class: 'muted' }, 'Pick two runs in the runs list (the compare boxes), then Compare.'));
    return;
  }
  const compare = await api.compare(a, b);
  const runLink = (id: string, title: string, which: string) => h('li', {}, `${which}: `, h('a', { href: `#/run/${encodeURIComponent(id)}`, 'data-testid': `compare-${which.toLowerCase()}` }, id), h('span', { class: 'muted' }, ` ${title}`));
  appendAll(root,
    h('div', { class: 'toolbar' }, h('h1', {}, 'Compare runs'),
      h('a', { href: `#/compare?a=${encodeURIComponent(b)}&b=${encodeURIComponent(a)}`, 'data-testid': 'compare-swap' }, 'swap A and B')),
    h('ul', { class: 'compare-runs' }, runLink(compare.a, compare.aTitle, 'A'), runLink(compare.b, compare.bTitle, 'B')),
    h('p', { class: 'muted' }, 'Each model: A, B and B − A; green where B is better, red where worse.'),
    Object.entries(compare.tables).map(([metric, t]) => render(metric, t)));

  function render(metric: string, t: RunComparison['tables'][string]): HTMLElement {
    if (t.models.length === 0) return h('section', { class: 'card' }, h('h3', {}, t.caption), h('p', { class: 'muted', 'data-metric': metric }, `neither run has ${metric}.`));
    const sign = (d: number) => (d >= 0 ? '+' : '−') + Math.abs(d).toFixed(4);
    const value = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(4));
    return h('section', { class: 'card compare' }, h('h3', {}, t.caption),
      h('div', { class: 'wide' }, h('table', { class: 'table compare-table', 'data-metric': metric },
        h('thead', {},
          h('tr', {}, h('th', { rowspan: 2 }, 'cell type'), t.models.map((m) => h('th', { colspan: 3, class: 'model' }, m))),
          h('tr', {}, t.models.map(() => [h('th', {}, 'A'), h('th', {}, 'B'), h('th', {}, 'B − A')]))),
        h('tbody', {}, t.rows.map((row) => h('tr', {}, h('td', { class: 'row' }, row.label),
          row.cells.map((c) => {
            const d = c.delta ?? null;
            const better = d !== null && d !== 0 && (t.lowerIsBetter ? d < 0 : d > 0);
            return [h('td', { class: 'num' }, value(c.a)), h('td', { class: 'num' }, value(c.b)),
              h('td', { class: `num ${d === null || d === 0 ? '' : better ? 'better' : 'worse'}`, 'data-delta': d === null ? '' : String(d) }, d === null ? '' : sign(d))];
          })))))));
  }
};
