import { api } from './api';
import { appendAll, clear, duration, h, time } from './dom';
import type { View } from './main';

const statuses = ['', 'Pending', 'Running', 'Succeeded', 'Failed', 'Cancelled'];
const triggers = ['', 'manual', 'cron', 'annotation', 'resume'];
const pageSizes = ['25', '50', '100', '250'];

/**
 * The runs list: filters (workflow, status, trigger, dates), a search in parameter values, and pages of the size
 * chosen, all answered by the server (nothing loads the whole table). The filters and the page's cursor live in the
 * address, so a view can be shared and the browser's Back returns to the newer page.
 */
export const runsView: View = async (root, _ctx, params) => {
  const workflows = await api.workflows();
  const value = (k: string) => params.get(k) ?? '';
  const workflow = h('select', { name: 'workflow', 'data-testid': 'filter-workflow' }, h('option', { value: '' }, 'all workflows'), workflows.map((w) => h('option', { value: w.id, selected: w.id === value('workflow') }, w.id)));
  const status = h('select', { name: 'status', 'data-testid': 'filter-status' }, statuses.map((s) => h('option', { value: s, selected: s === value('status') }, s || 'any status')));
  const trigger = h('select', { name: 'trigger', 'data-testid': 'filter-trigger' }, triggers.map((t) => h('option', { value: t, selected: t === value('trigger') }, t || 'any trigger')));
  const from = h('input', { type: 'date', name: 'from', value: value('from'), 'data-testid': 'filter-from' });
  const to = h('input', { type: 'date', name: 'to', value: value('to'), 'data-testid': 'filter-to' });
  const search = h('input', { type: 'search', name: 'q', value: value('q'), maxlength: 200, placeholder: 'parameter value…', 'data-testid': 'filter-search' });
  const size = h('select', { name: 'limit', 'data-testid': 'page-size' }, pageSizes.map((n) => h('option', { value: n, selected: n === (value('limit') || '50') }, `${n} a page`)));
  const apply = () => {
    const q = new URLSearchParams(Object.entries({
      workflow: workflow.value, version: workflow.value === value('workflow') ? value('version') : '', status: status.value, trigger: trigger.value,
      from: from.value, to: to.value, q: search.value.trim(), limit: size.value === '50' ? '' : size.value,
    }).filter(([, v]) => v));
    location.hash = `#/runs?${q}`;
  };
  [workflow, status, trigger, from, to, size].forEach((el) => el.addEventListener('change', apply));
  const form = h('form', { class: 'inline filters' }, workflow, status, trigger, 'from', from, 'to', to, search, size);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); apply(); });
  search.addEventListener('search', apply);
  const table = h('div', {});
  const pager = h('div', { class: 'toolbar pager' });
  // Two runs picked here open side by side (#/compare); the first picked is A. Kept while the page refreshes.
  const picked: string[] = [];
  const compare = h('button', { type: 'button', 'data-testid': 'compare-picked', disabled: true, onclick: () => {
    if (picked.length === 2) location.hash = `#/compare?${new URLSearchParams({ a: picked[0], b: picked[1] })}`;
  } }, 'Compare 2 runs');
  const showPicked = () => {
    compare.disabled = picked.length !== 2;
    compare.textContent = picked.length === 2 ? 'Compare the 2 picked runs' : `Compare 2 runs (${picked.length} picked)`;
  };
  showPicked();
  const pick = (id: string, on: boolean) => {
    const at = picked.indexOf(id);
    if (on && at < 0) picked.push(id);
    if (!on && at >= 0) picked.splice(at, 1);
    while (picked.length > 2) picked.shift();
    showPicked();
    table.querySelectorAll<HTMLInputElement>('input[data-compare]').forEach((box) => { box.checked = picked.includes(box.dataset.compare!); });
  };
  const version = value('version');
  const cursor = value('cursor');
  appendAll(root, h('div', { class: 'toolbar' }, h('h1', {}, 'Runs'), form, compare,
    version && h('span', { class: 'pill', 'data-testid': 'filter-version' }, `version ${version.slice(0, 12)} `, h('a', { href: location.hash.replace(/([?&])version=[0-9a-f]+&?/, '$1') }, '✕'))), table, pager);

  const withCursor = (next: string | null) => {
    const q = new URLSearchParams(params);
    if (next) q.set('cursor', next);
    else q.delete('cursor');
    return `#/runs?${q}`;
  };

  const load = async () => {
    const page = await api.runPage({
      workflow: value('workflow'), version: value('version'), status: value('status'), trigger: value('trigger'), q: value('q'),
      from: value('from') ? new Date(`${value('from')}T00:00:00Z`).toISOString() : '',
      to: value('to') ? new Date(`${value('to')}T23:59:59.999Z`).toISOString() : '',
      limit: value('limit') || '50', cursor,
    });
    const runs = page.runs;
    clear(table);
    appendAll(table, runs.length === 0 ? h('p', { class: 'muted' }, cursor ? 'No older runs match.' : 'No runs match.') : h('table', { class: 'table', 'data-testid': 'runs-table' },
      h('thead', {}, h('tr', {}, h('th', { title: 'pick two runs to compare' }, 'compare'), ['run', 'workflow', 'version', 'status', 'trigger', 'started by', 'started', 'duration', 'parameters', 'error'].map((c) => h('th', {}, c)))),
      h('tbody', {}, runs.map((r) => h('tr', {},
        h('td', {}, h('input', { type: 'checkbox', 'data-compare': r.id, 'aria-label': `compare run ${r.id}`, checked: picked.includes(r.id),
          onchange: (ev: Event) => pick(r.id, (ev.target as HTMLInputElement).checked) })),
        h('td', {}, h('a', { href: `#/run/${encodeURIComponent(r.id)}`, 'data-run': r.id }, r.id)),
        h('td', {}, r.workflowId),
        h('td', {}, h('a', { href: `#/workflow/${encodeURIComponent(r.workflowId)}?version=${r.definitionHash}` }, h('code', {}, r.definitionHash.slice(0, 10)))),
        h('td', {}, h('span', { class: `pill state-${r.status.toLowerCase()}` }, r.status)),
        h('td', {}, r.trigger),
        h('td', {}, r.startedBy ?? ''),
        h('td', {}, time(r.createdAt)),
        h('td', {}, duration(r.createdAt, r.finishedAt)),
        h('td', { class: 'small' }, parameterText(r.parametersJson)),
        h('td', { class: 'error small' }, r.error ?? ''))))));
    clear(pager);
    appendAll(pager,
      cursor && h('a', { href: withCursor(null), 'data-testid': 'page-newest' }, '⇤ newest'),
      cursor && h('button', { type: 'button', class: 'link', onclick: () => history.back() }, '← newer'),
      h('span', { class: 'muted', 'data-testid': 'page-count' }, `${runs.length} run${runs.length === 1 ? '' : 's'} on this page`),
      page.next && h('a', { href: withCursor(page.next), 'data-testid': 'page-older' }, 'older →'));
  };
  await load();

  // Only the first page follows new runs: an older page stays what it was while someone reads it.
  if (cursor) return;
  const timer = window.setInterval(() => void load().catch(() => {}), 3000);
  return () => clearInterval(timer);
};

function parameterText(json: string): string {
  let parameters: Record<string, unknown>;
  try { parameters = JSON.parse(json) as Record<string, unknown>; } catch { return json; }
  return Object.entries(parameters).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
}
