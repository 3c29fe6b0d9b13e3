import { api, ApiError, type DefinitionVersion, type Schedule, type Watch, type WorkflowSummary } from './api';
import { appendAll, clear, h, time } from './dom';
import type { View } from './main';

/**
 * Triggers: cron schedules and folder watches, with their next fire times and latest firing. Operators (and admins)
 * add and edit them (a stored definition, latest or a pinned version), pause, resume, fire now and remove them;
 * everyone else reads. Triggers made from the command line with a workflow file are listed, paused, fired and removed
 * here, but edited there (the server never names host workflow files).
 */
export const triggersView: View = async (root, ctx) => {
  const canOperate = ctx.me.can.includes('operate');
  const form = h('div', {});
  const lists = h('div', {});
  const fail = (e: unknown) => ctx.toast(e instanceof ApiError ? e.message : String(e), 'error');
  const workflows = await api.workflows();

  appendAll(root,
    h('div', { class: 'toolbar' }, h('h1', {}, 'Triggers'),
      canOperate && h('button', { 'data-testid': 'new-schedule', onclick: () => showScheduleForm(null) }, 'New schedule'),
      canOperate && h('button', { 'data-testid': 'new-watch', onclick: () => showWatchForm(null) }, 'New watch')),
    form, lists);

  const act = async (what: () => Promise<unknown>, done?: string) => {
    try {
      await what();
      if (done) ctx.toast(done);
      await load();
    } catch (e) {
      fail(e);
    }
  };

  const load = async () => {
    const [schedules, watches] = await Promise.all([api.schedules(), api.watches()]);
    clear(lists);
    appendAll(lists,
      h('section', { class: 'card' }, h('h3', {}, 'Cron schedules'),
        table(['schedule', 'runs', 'cron', 'next fire times', 'last firing', 'enabled', ''], 'schedules', schedules.map((s) => [
          s.id, source(s.workflowId, s.workflowPath, s.pinnedVersion), h('code', {}, s.cron),
          s.nextFireTimes.length === 0 ? '—' : h('span', { title: s.nextFireTimes.map(time).join('\n') }, time(s.nextFireTime ?? s.nextFireTimes[0]), s.nextFireTimes.length > 1 ? h('span', { class: 'muted' }, ` +${s.nextFireTimes.length - 1}`) : ''),
          lastFiring(s.lastFiredAt, s.lastOutcome, s.lastRunId, s.lastFiredBy, s.lastMessage),
          s.enabled ? 'yes' : 'paused',
          canOperate && h('span', { class: 'inline' },
            s.workflowPath === null && h('button', { class: 'small', 'data-edit-schedule': s.id, onclick: () => showScheduleForm(s) }, 'Edit'),
            h('button', { class: 'small', 'data-schedule': s.id, onclick: () => act(() => api.setSchedule(s.id, !s.enabled)) }, s.enabled ? 'Pause' : 'Resume'),
            h('button', { class: 'small', 'data-fire-schedule': s.id, onclick: () => act(async () => {
              const fired = await api.fireSchedule(s.id);
              ctx.toast(`fired ${s.id}: run ${fired.runsStarted.join(', ')}`);
            }) }, 'Fire now'),
            h('button', { class: 'small danger', 'data-remove-schedule': s.id, onclick: () => confirm(`Remove schedule ${s.id}? Its firings stay in the journal.`) && act(() => api.removeSchedule(s.id), `removed schedule ${s.id}`) }, 'Remove')),
        ]))),
      h('section', { class: 'card' }, h('h3', {}, 'Folder watches'),
        table(['watch', 'runs', 'folder', 'glob', 'file parameter', 'files seen', 'last firing', 'enabled', ''], 'watches', watches.map((w) => [
          w.id, source(w.workflowId, w.workflowPath, w.pinnedVersion), h('code', {}, w.folder), h('code', {}, w.glob), w.parameterName, String(w.filesSeen),
          lastFiring(w.lastFiredAt, w.lastOutcome, w.lastRunId, w.lastFiredBy, w.lastMessage),
          w.enabled ? 'yes' : 'paused',
          canOperate && h('span', { class: 'inline' },
            w.workflowPath === null && h('button', { class: 'small', 'data-edit-watch': w.id, onclick: () => showWatchForm(w) }, 'Edit'),
            h('button', { class: 'small', 'data-watch': w.id, onclick: () => act(() => api.setWatch(w.id, !w.enabled)) }, w.enabled ? 'Pause' : 'Resume'),
            h('button', { class: 'small', 'data-scan-watch': w.id, onclick: () => act(async () => {
              const scanned = await api.scanWatch(w.id);
              ctx.toast(`scanned ${w.id}: ${scanned.runsStarted.length} run(s) started`);
            }) }, 'Scan now'),
            h('button', { class: 'small danger', 'data-remove-watch': w.id, onclick: () => confirm(`Remove watch ${w.id} and forget the files it has seen?`) && act(() => api.removeWatch(w.id), `removed watch ${w.id}`) }, 'Remove')),
        ]))));
  };

  function showScheduleForm(existing: Schedule | null): void {
    const id = h('input', { 'data-testid': 'schedule-id', value: existing?.id ?? '', disabled: existing !== null, placeholder: 'nightly' });
    const { definition, pinned } = definitionFields(workflows, existing?.workflowId, existing?.pinnedVersion ?? null);
    const cron = h('input', { 'data-testid': 'schedule-cron', value: existing?.cron ?? '0 0 3 * * ?', class: 'mono' });
    const next = h('div', { class: 'small', 'data-testid': 'cron-next' });
    const parameters = parametersField(existing?.parametersJson);
    const misfire = h('select', { 'data-testid': 'schedule-misfire' }, ['skip', 'fire-once'].map((m) => h('option', { value: m, selected: m === (existing?.misfire ?? 'skip') }, m)));
    const overlap = h('input', { type: 'checkbox', 'data-testid': 'schedule-overlap', checked: existing?.allowOverlap ?? false });
    const enabled = h('input', { type: 'checkbox', checked: existing?.enabled ?? true });
    const error = h('p', { class: 'error', 'data-testid': 'schedule-error' });

    // Live validation: the server's Quartz reads the expression and answers with the next fire times.
    let pending = 0;
    const check = async () => {
      const ticket = ++pending;
      try {
        const result = await api.checkTrigger({ cron: cron.value, count: 5 });
        if (ticket !== pending) return;
        cron.classList.remove('invalid');
        clear(next);
        appendAll(next, h('span', { class: 'muted' }, 'next fire times: '), h('ol', { class: 'fire-times' }, result.nextFireTimes.map((t) => h('li', {}, time(t)))));
      } catch (e) {
        if (ticket !== pending) return;
        cron.classList.add('invalid');
        clear(next);
        appendAll(next, h('span', { class: 'error', 'data-testid': 'cron-error' }, e instanceof ApiError ? e.problem.detail ?? e.problem.title : String(e)));
      }
    };
    let timer = 0;
    cron.addEventListener('input', () => { clearTimeout(timer); timer = window.setTimeout(() => void check(), 250); });
    void check();

    const save = async () => {
      error.textContent = '';
      const params = parameters.read();
      if (!params) { error.textContent = 'parameters: a JSON object of NAME: value'; return; }
      try {
        const saved = await api.saveSchedule({
          id: id.value.trim(), definition: definition.value, pinnedVersion: pinned.value || null, cron: cron.value, parameters: params,
          misfire: misfire.value, allowOverlap: overlap.checked, enabled: enabled.checked,
        }, existing !== null);
        ctx.toast(`${existing ? 'saved' : 'added'} schedule ${saved.id}`);
        clear(form);
        await load();
      } catch (e) {
        error.textContent = problemText(e);
      }
    };

    render(form, existing ? `Edit schedule ${existing.id}` : 'New schedule', 'schedule-form', [
      h('label', {}, 'Id', id),
      h('label', {}, 'Definition (a stored workflow)', definition),
      h('label', {}, 'Version', pinned),
      h('label', {}, 'Cron (Quartz, seconds first, the server\'s local time)', cron), next,
      h('label', {}, 'Parameters (JSON object)', parameters.element),
      h('label', {}, 'Missed firings (no engine running)', misfire),
      h('label', { class: 'check' }, overlap, 'Allow a run while the previous one still runs'),
      h('label', { class: 'check' }, enabled, 'Enabled'),
    ], save, error);
  }

  function showWatchForm(existing: Watch | null): void {
    const id = h('input', { 'data-testid': 'watch-id', value: existing?.id ?? '', disabled: existing !== null, placeholder: 'incoming' });
    const { definition, pinned } = definitionFields(workflows, existing?.workflowId, existing?.pinnedVersion ?? null);
    const folder = h('input', { 'data-testid': 'watch-folder', value: existing?.folder ?? '', placeholder: 'a folder inside the data roots (relative: the data folder)' });
    const glob = h('input', { 'data-testid': 'watch-glob', value: existing?.glob ?? '*.json', class: 'mono' });
    const parameterName = h('input', { 'data-testid': 'watch-parameter', value: existing?.parameterName ?? '', placeholder: 'the parameter that gets each file\'s path' });
    const settle = h('input', { 'data-testid': 'watch-settle', value: existing?.settle ?? '2s' });
    const poll = h('input', { 'data-testid': 'watch-poll', value: existing?.pollInterval ?? '2s' });
    const parameters = parametersField(existing?.parametersJson);
    const enabled = h('input', { type: 'checkbox', checked: existing?.enabled ?? true });
    const hint = h('div', { class: 'small', 'data-testid': 'watch-check' });
    const error = h('p', { class: 'error', 'data-testid': 'watch-error' });
    const check = async () => {
      try {
        const result = await api.checkTrigger({ glob: glob.value, ...(folder.value ? { folder: folder.value } : {}) });
        glob.classList.remove('invalid');
        folder.classList.remove('invalid');
        hint.textContent = result.folder ? `folder: ${result.folder}` : '';
        hint.className = 'small muted';
      } catch (e) {
        const field = e instanceof ApiError ? (e.problem as { field?: string }).field : undefined;
        (field === 'folder' ? folder : glob).classList.add('invalid');
        hint.textContent = problemText(e);
        hint.className = 'small error';
      }
    };
    glob.addEventListener('change', () => void check());
    folder.addEventListener('change', () => void check());

    const save = async () => {
      error.textContent = '';
      const params = parameters.read();
      if (!params) { error.textContent = 'parameters: a JSON object of NAME: value'; return; }
      try {
        const saved = await api.saveWatch({
          id: id.value.trim(), definition: definition.value, pinnedVersion: pinned.value || null, folder: folder.value, glob: glob.value,
          parameterName: parameterName.value, parameters: params, settle: settle.value, pollInterval: poll.value, enabled: enabled.checked,
        }, existing !== null);
        ctx.toast(`${existing ? 'saved' : 'added'} watch ${saved.id}`);
        clear(form);
        await load();
      } catch (e) {
        error.textContent = problemText(e);
      }
    };

    render(form, existing ? `Edit watch ${existing.id}` : 'New watch', 'watch-form', [
      h('label', {}, 'Id', id),
      h('label', {}, 'Definition (a stored workflow)', definition),
      h('label', {}, 'Version', pinned),
      h('label', {}, 'Folder', folder),
      h('label', {}, 'File-name pattern (**/ in front: sub-folders too)', glob), hint,
      h('label', {}, 'File parameter', parameterName),
      h('label', {}, 'Settle (unchanged this long before a file is taken)', settle),
      h('label', {}, 'Poll interval', poll),
      h('label', {}, 'Other parameters (JSON object)', parameters.element),
      h('label', { class: 'check' }, enabled, 'Enabled'),
    ], save, error);
  }

  await load();
  const refresh = window.setInterval(() => void load().catch(() => {}), 3000);
  return () => clearInterval(refresh);
};

function render(box: HTMLElement, title: string, testid: string, fields: (Node | false)[], save: () => Promise<void>, error: HTMLElement): void {
  clear(box);
  appendAll(box, h('section', { class: 'card trigger-form', 'data-testid': testid },
    h('h3', {}, title), fields,
    h('div', { class: 'toolbar' },
      h('button', { class: 'primary', 'data-testid': `${testid}-save`, onclick: () => void save() }, 'Save'),
      h('button', { onclick: () => clear(box) }, 'Cancel')),
    error));
}

/** The definition picked from the stored workflows, and its version: the latest at each firing, or a pinned one. */
function definitionFields(workflows: WorkflowSummary[], current: string | undefined, pinnedVersion: string | null): { definition: HTMLSelectElement; pinned: HTMLSelectElement } {
  const definition = h('select', { 'data-testid': 'trigger-definition' }, workflows.map((w) => h('option', { value: w.id, selected: w.id === current }, w.id)));
  const pinned = h('select', { 'data-testid': 'trigger-version' });
  const fill = async () => {
    let versions: DefinitionVersion[] = [];
    try { versions = definition.value ? await api.versions(definition.value) : []; } catch { versions = []; }
    clear(pinned);
    appendAll(pinned, h('option', { value: '' }, 'latest (at each firing)'),
      versions.map((v) => h('option', { value: v.hash, selected: v.hash === pinnedVersion }, `v${v.versionLabel} ${v.hash.slice(0, 12)} (${time(v.savedAt)})`)));
  };
  definition.addEventListener('change', () => { pinnedVersion = null; void fill(); });
  void fill();
  return { definition, pinned };
}

function parametersField(json: string | undefined): { element: HTMLTextAreaElement; read: () => Record<string, unknown> | null } {
  const element = h('textarea', { rows: 3, class: 'mono', 'data-testid': 'trigger-parameters' });
  element.value = json && json !== '{}' ? JSON.stringify(JSON.parse(json), null, 1) : '{}';
  return {
    element,
    read: () => {
      try {
        const value: unknown = JSON.parse(element.value || '{}');
        return value && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : null;
      } catch {
        return null;
      }
    },
  };
}

function source(workflowId: string, workflowPath: string | null, pinnedVersion: string | null): Node {
  return workflowPath !== null
    ? h('span', { title: workflowPath }, workflowId, h('span', { class: 'muted small' }, ' (file)'))
    : h('span', {}, h('a', { href: `#/workflow/${encodeURIComponent(workflowId)}` }, workflowId), h('span', { class: 'muted small' }, pinnedVersion ? ` @${pinnedVersion.slice(0, 12)}` : ' (latest)'));
}

function lastFiring(at: string | null, outcome: string | null, runId: string | null, by: string | null, message: string | null): Node | string {
  if (!at) return '';
  return h('span', { title: message ?? '' }, `${time(at)} ${outcome ?? ''}`,
    runId && h('span', {}, ' ', h('a', { href: `#/run/${encodeURIComponent(runId)}`, 'data-last-run': runId }, runId)),
    by && h('span', { class: 'muted' }, ` by ${by}`),
    outcome === 'Failed' && message && h('div', { class: 'error small' }, message.split('\n')[0]));
}

function table(columns: string[], testid: string, rows: (string | Node | false)[][]): HTMLElement {
  return rows.length === 0 ? h('p', { class: 'muted', 'data-testid': `${testid}-none` }, 'None.') :
    h('table', { class: 'table small', 'data-testid': testid },
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', {}, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))));
}

function problemText(e: unknown): string {
  if (!(e instanceof ApiError)) return String(e);
  const detail = e.problem.detail ?? e.problem.title;
  const items = e.problem.errors?.map((p) => `${p.field}: ${p.message}`) ?? [];
  return [detail, ...items].join('\n');
}

