import { api } from './api';
import { appendAll, h, time } from './dom';
import type { View } from './main';

/** The workflow list: every workflow with its latest published version, whether it has a draft, and its last run. */
export const workflowsView: View = async (root, ctx) => {
  const list = await api.workflows();
  const newId = h('input', { placeholder: 'new-workflow-id', id: 'new-workflow-id' });
  const row = (w: (typeof list)[number]) => h('tr', {},
    h('td', {}, h('a', { href: `#/workflow/${encodeURIComponent(w.id)}`, 'data-workflow': w.id }, w.id)),
    h('td', {}, w.latest ? [`v${w.latest.versionLabel} `, h('code', {}, w.latest.hash.slice(0, 12))] : h('span', { class: 'muted' }, 'not published'),
      w.draftSavedAt && h('span', { class: 'pill draft', title: `draft saved ${time(w.draftSavedAt)} by ${w.draftSavedBy ?? ''}`, 'data-draft': w.id }, ' draft')),
    h('td', { class: 'muted' }, w.latest?.description ?? ''),
    h('td', {}, time(w.latest?.savedAt ?? w.draftSavedAt)),
    h('td', {}, w.latest?.savedBy ?? w.draftSavedBy ?? ''),
    h('td', {}, String(w.versions)),
    h('td', {}, w.lastRunStatus
      ? h('a', { href: `#/runs?workflow=${encodeURIComponent(w.id)}` }, h('span', { class: `pill state-${w.lastRunStatus.toLowerCase()}` }, w.lastRunStatus), ' ', time(w.lastRunAt))
      : ''));
  const create = (e: Event) => {
    e.preventDefault();
    if (newId.value) location.hash = `#/workflow/${encodeURIComponent(newId.value)}?new=1`;
  };
  appendAll(root, 
    h('div', { class: 'toolbar' },
      h('h1', {}, 'Workflows'),
      ctx.me.can.includes('edit') && h('form', { class: 'inline', onsubmit: create }, newId, h('button', { type: 'submit' }, 'New workflow'))),
    list.length === 0
      ? h('p', {}, 'No workflow saved yet. Runs started from the command line save theirs too.')
      : h('table', { class: 'table', 'data-testid': 'workflow-list' },
        h('thead', {}, h('tr', {}, ['workflow', 'version', 'description', 'saved', 'by', 'versions', 'last run'].map((c) => h('th', {}, c)))),
        h('tbody', {}, list.map(row))));
};
