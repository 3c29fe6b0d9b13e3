import './style.css';
import { api, ApiError, setUnauthorizedHandler, type Me } from './api';
import { appendAll, clear, h } from './dom';
import { workflowsView } from './workflows';
import { editorView } from './editor';
import { runsView } from './runs';
import { runView } from './run';
import { compareView } from './compare';
import { opsView } from './ops';
import { triggersView } from './triggers';
import { usersView } from './users';
import { lineageView, metricsView } from './across';

/** What every view gets: the signed-in user and a way to say something. */
export interface Context { me: Me; toast: (text: string, kind?: 'ok' | 'error') => void }

/** A view renders into its element and returns a function that stops its timers and streams. */
export type View = (root: HTMLElement, ctx: Context, params: URLSearchParams, path: string[]) => Promise<(() => void) | void>;

const app = document.getElementById('app')!;
let me: Me | null = null;
let stopView: (() => void) | void;

setUnauthorizedHandler(() => {
  me = null;
  if (!location.hash.startsWith('#/login')) location.hash = `#/login?next=${encodeURIComponent(location.hash)}`;
});

function toast(text: string, kind: 'ok' | 'error' = 'ok'): void {
  const el = h('div', { class: `toast ${kind}`, role: 'status' }, text);
  document.body.appendChild(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 3500);
}

async function route(): Promise<void> {
  if (stopView) stopView();
  stopView = undefined;
  const [pathPart, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const path = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  if (path[0] === 'login') return renderLogin(params.get('next'));
  if (!me) {
    try {
      me = await api.me();
    } catch {
      location.hash = `#/login?next=${encodeURIComponent(location.hash)}`;
      return;
    }
  }
  const views: Record<string, View> = { workflows: workflowsView, workflow: editorView, runs: runsView, run: runView, compare: compareView, metrics: metricsView, artifact: lineageView, ops: opsView, triggers: triggersView, users: usersView };
  const view = views[path[0] ?? 'workflows'] ?? workflowsView;
  clear(app);
  const main = h('main', { class: 'content' });
  appendAll(app, header(path[0] ?? 'workflows'), main);
  try {
    stopView = await view(main, { me, toast }, params, path.slice(1));
  } catch (e) {
    main.append(h('p', { class: 'error' }, e instanceof Error ? e.message : String(e)));
  }
}

function header(active: string): HTMLElement {
  const link = (hash: string, label: string, key: string) => h('a', { href: hash, class: active === key || (key === 'workflows' && active === 'workflow') || (key === 'runs' && (active === 'run' || active === 'compare')) ? 'active' : '' }, label);
  return h('header', { class: 'top' },
    h('span', { class: 'brand' }, 'CellSegFlows Studio'),
    h('nav', {}, link('#/workflows', 'Workflows', 'workflows'), link('#/runs', 'Runs', 'runs'), link('#/metrics', 'Metrics', 'metrics'), link('#/triggers', 'Triggers', 'triggers'), link('#/ops', 'Operations', 'ops'), me!.can.includes('administer') && link('#/users', 'Users', 'users'), h('a', { href: '/scalar', target: '_blank' }, 'API')),
    h('span', { class: 'user', 'data-testid': 'user' }, `${me!.name} (${me!.role})`),
    h('button', { class: 'link', onclick: async () => { await api.logout(); me = null; location.hash = '#/login'; } }, 'Sign out'));
}

function renderLogin(next: string | null): void {
  clear(app);
  const user = h('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { id: 'login-pass', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error', 'data-testid': 'login-error' });
  const form = h('form', { class: 'login card' },
    h('h1', {}, 'CellSegFlows Studio'),
    h('label', {}, 'User', user),
    h('label', {}, 'Password', pass),
    h('button', { type: 'submit', id: 'login-submit' }, 'Sign in'),
    error);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      me = await api.login(user.value, pass.value);
      location.hash = next && !next.startsWith('#/login') ? next : '#/workflows';
    } catch (e) {
      error.textContent = e instanceof ApiError ? e.problem.detail ?? e.problem.title : String(e);
    }
  });
  appendAll(app, form);
  user.focus();
}

window.addEventListener('hashchange', () => void route());
void route();
