import { api } from './api';
import { appendAll, clear, duration, h, time } from './dom';
import type { View } from './main';

const statuses = ['', 'Pending', 'Running', 'Succeeded', 'Failed', 'Cancelled'];
const triggers = ['', 'manual', 'cron', 'annotation', 'resume'];

/** The runs list with filters (workflow, status, trigger, date); the filters live in the address, so a view can be shared. */
export const runsView: View = async (root, _ctx, params) => {
  const workflows = await api.workflows();
  const value = (k: string) => params.get(k) ?? '';
  const workflow = h('select', { name: 'workflow', 'data-testid': 'filter-workflow' }, h('option', { value: '' }, 'all workflows'), workflows.map((w) => h('option', { value: w.id, selected: w.id === value('workflow') }, w.id)));
  const status = h('select', { name: 'status', 'data-testid': 'filter-status' }, statuses.map((s) => h('option', { value: s, selected: s === value('status') }, s || 'any status')));
  const trigger = h('select', { name: 'trigger', 'data-testid': 'filter-trigger' }, triggers.map((t) => h('option', { value: t, selected: t === value('trigger') }, t || 'any trigger')));
  const from = h('input', { type: 'date', name: 'from', value: value('from'), 'data-testid': 'filter-from' });
  const to = h('input', { type: 'date', name: 'to', value: value('to'), 'data-testid': 'filter-to' });
  const apply = () => {
    const q = new URLSearchParams(Object.entries({ workflow: workflow.value, version: workflow.value === value('workflow') ? value('version') : '', status: status.value, trigger: trigger.value, from: from.value, to: to.value }).filter(([, v]) => v));
    location.hash = `#/runs?${q}`;
  };
  [workflow, status, trigger, from, to].forEach((el) => el.addEventListener('change', apply));
  const table = h('div', {});
  const version = value('version');
  appendAll(root, h('div', { class: 'toolbar' }, h('h1', {}, 'Runs'), h('form', { class: 'inline filters' }, workflow, status, trigger, 'from', from, 'to', to),
    version && h('span', { class: 'pill', 'data-testid': 'filter-version' }, `version ${version.slice(0, 12)} `, h('a', { href: location.hash.replace(/([?&])version=[0-9a-f]+&?/, '$1') }, '✕'))), table);

  const load = async () => {
    const runs = await api.runs({
      workflow: value('workflow'), version: value('version'), status: value('status'), trigger: value('trigger'),
      from: value('from') ? new Date(`${value('from')}T00:00:00Z`).toISOString() : '',
      to: value('to') ? new Date(`${value('to')}T23:59:59.999Z`).toISOString() : '',
    });
    clear(table);
    appendAll(table, runs.length === 0 ? h('p', { class: 'muted' }, 'No runs match.') : h('table', { class: 'table', 'data-testid': 'runs-table' },
      h('thead', {}, h('tr', {}, ['run', 'workflow', 'version', 'status', 'trigger', 'started by', 'started', 'duration', 'error'].map((c) => h('th', {}, c)))),
      h('tbody', {}, runs.map((r) => h('tr', {},
        h('td', {}, h('a', { href: `#/run/${encodeURIComponent(r.id)}`, 'data-run': r.id }, r.id)),
        h('td', {}, r.workflowId),
        h('td', {}, h('a', { href: `#/workflow/${encodeURIComponent(r.workflowId)}?version=${r.definitionHash}` }, h('code', {}, r.definitionHash.slice(0, 10)))),
        h('td', {}, h('span', { class: `pill state-${r.status.toLowerCase()}` }, r.status)),
        h('td', {}, r.trigger),
        h('td', {}, r.startedBy ?? ''),
        h('td', {}, time(r.createdAt)),
        h('td', {}, duration(r.createdAt, r.finishedAt)),
        h('td', { class: 'error small' }, r.error ?? ''))))));
  };
  await load();
  const timer = window.setInterval(() => void load().catch(() => {}), 3000);
  return () => clearInterval(timer);
};
