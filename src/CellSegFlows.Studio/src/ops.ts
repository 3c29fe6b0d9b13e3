import { api, type Worker } from './api';
import { appendAll, clear, h, time } from './dom';
import type { View } from './main';

/** Operations (what a Quartz dashboard would show): the scheduler, workers, scheduled and running steps, a count of the triggers (managed in triggers.ts), the audit log. */
export const opsView: View = async (root, ctx) => {
  const box = h('div', {});
  appendAll(root, h('div', { class: 'toolbar' }, h('h1', {}, 'Operations')), box);
  const canOperate = ctx.me.can.includes('operate');

  const load = async () => {
    const [workers, steps, schedules, watches, scheduler, audit] = await Promise.all([api.workers(), api.activeSteps(), api.schedules(), api.watches(), api.scheduler(), api.audit(undefined, 50)]);
    clear(box);
    appendAll(box, 
      h('section', { class: 'card' },
        h('div', { class: 'panel-head' }, h('h3', {}, 'Scheduler'),
          h('span', { class: `pill ${scheduler.paused ? 'state-cancelled' : 'state-succeeded'}`, 'data-testid': 'scheduler-state' }, scheduler.paused ? 'paused' : 'running'),
          canOperate && h('button', { 'data-testid': 'scheduler-toggle', onclick: async () => { await api.setScheduler(!scheduler.paused); await load(); } }, scheduler.paused ? 'Resume' : 'Pause')),
        h('p', { class: 'muted small' }, `This server's worker ${scheduler.worker}. Paused: running steps finish, nothing new starts and no trigger fires here.`)),
      h('section', { class: 'card' }, h('h3', {}, 'Workers'),
        table(['worker', 'execution groups', 'device', 'threads', 'running steps', 'started', 'last check-in', 'state'],
          workers.map((w) => [w.name, w.queues.join(', '), w.device, String(w.threads), String(w.runningSteps), time(w.startedAt), time(w.lastSeenAt),
            workerState(w)]), 'workers')),
      h('section', { class: 'card' }, h('h3', {}, `Scheduled and running steps (${steps.length})`),
        table(['step', 'workflow', 'activity', 'queue', 'status', 'attempt', 'worker', 'scheduled', 'progress'],
          steps.map((s) => [h('a', { href: `#/run/${encodeURIComponent(s.runId)}` }, s.id), s.workflowId, s.activity, s.queue,
            h('span', { class: `pill state-${s.status.toLowerCase()}` }, s.status), String(s.attempt), s.worker ?? '', time(s.scheduledAt),
            s.progress !== null ? `${Math.round(s.progress * 100)}% ${s.progressMessage ?? ''}` : '']), 'active-steps')),
      h('section', { class: 'card' }, h('h3', {}, 'Triggers'),
        h('p', { class: 'small', 'data-testid': 'trigger-summary' },
          `${schedules.length} cron schedule(s) (${schedules.filter((s) => !s.enabled).length} paused), ${watches.length} folder watch(es): `,
          h('a', { href: '#/triggers' }, 'manage them on the Triggers page'))),
      h('section', { class: 'card' }, h('h3', {}, 'Audit log (latest 50)'),
        table(['time', 'who', 'what', 'target', 'detail'],
          audit.map((a) => [time(a.time), a.actor, a.action, a.action.startsWith('run.') ? h('a', { href: `#/run/${encodeURIComponent(a.target)}` }, a.target) : h('code', {}, a.target.length === 64 ? a.target.slice(0, 12) : a.target), a.detail ?? '']), 'audit')));
  };

  /** alive, draining (alive, asked to drain: no new steps, stops when its running ones finish or are handed back), stopped, or silent (no check-in lately). */
  function workerState(w: Worker): HTMLElement {
    if (w.draining) return h('span', { class: 'pill state-cancelled', 'data-worker-state': 'draining', title: `asked to drain ${time(w.drainRequestedAt)}` }, 'draining');
    const state = w.alive ? 'alive' : w.stoppedAt ? 'stopped' : 'silent';
    return h('span', { class: `pill ${w.alive ? 'state-succeeded' : 'state-skipped'}`, 'data-worker-state': state }, state);
  }

  function table(columns: string[], rows: (string | Node)[][], testid: string): HTMLElement {
    return rows.length === 0 ? h('p', { class: 'muted' }, 'None.') :
      h('table', { class: 'table small', 'data-testid': testid },
        h('thead', {}, h('tr', {}, columns.map((c) => h('th', {}, c)))),
        h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))));
  }

  await load();
  const timer = window.setInterval(() => void load().catch(() => {}), 3000);
  return () => clearInterval(timer);
};
