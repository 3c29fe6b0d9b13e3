import { api, artifactUrl, type ArtifactRecord, type MetricRecord, type NodeState, type RunDetail, type RunRecord, type StepEvent, type StepRecord } from './api';
import { metricCharts } from './chart';
import { appendAll, clear, duration, h, time } from './dom';
import { drawGraph } from './graph';
import { edgesOf, parseDefinition, type WorkflowDef } from './model';
import type { View } from './main';

/**
 * The live run view: the definition's graph coloured by node state, kept current by the server's event
 * stream; per step the journal (attempts, times, worker, inputs, outputs, progress, logs, error); the run's
 * artifacts to download (images previewed inline); metric charts; the run's report (the paper's tables and figures,
 * built by the server and shown in a sandboxed frame); and a link to the exact definition version the run executed.
 */
export const runView: View = async (root, ctx, _params, path) => {
  const runId = path[0];
  const detail: RunDetail = await api.run(runId);
  let run: RunRecord = detail.run;
  let steps: StepRecord[] = detail.steps;
  let nodes: NodeState[] = detail.nodes;
  const events = new Map<number, StepEvent>(detail.events.map((e) => [e.id, e]));
  const artifacts = new Map<number, ArtifactRecord>(detail.artifacts.map((a) => [a.id, a]));
  const metrics = new Map<number, MetricRecord>(detail.metrics.map((m) => [m.id, m]));
  const def: WorkflowDef | null = detail.definition?.json ? parseDefinition(detail.definition.json) : null;
  let selectedNode: string | null = null;
  let selectedStep: string | null = null;

  const head = h('div', { class: 'toolbar' });
  const summary = h('div', { class: 'run-summary card' });
  const graphBox = h('div', { class: 'graph-box' });
  const stepPanel = h('div', { class: 'card step-panel', 'data-testid': 'step-panel' });
  const artifactsBox = h('div', { class: 'card', 'data-testid': 'artifacts' });
  const historyBox = h('div', { class: 'card', 'data-testid': 'history' });
  const metricsBox = h('div', { class: 'card' });
  const reportBox = h('div', { class: 'card', 'data-testid': 'report' });
  appendAll(root, head, summary, h('div', { class: 'run-layout' }, h('section', { class: 'card graph-panel' }, h('h3', {}, 'Steps'), graphBox), stepPanel), metricsBox, reportBox, artifactsBox, historyBox);

  const isDone = () => ['Succeeded', 'Failed', 'Cancelled'].includes(run.status);

  function renderHead(): void {
    clear(head);
    appendAll(head, 
      h('h1', {}, `Run ${run.id}`),
      h('span', { class: `pill state-${run.status.toLowerCase()}`, 'data-testid': 'run-status' }, run.status),
      ctx.me.can.includes('operate') && !isDone() && h('button', { class: 'danger', 'data-testid': 'cancel-run', onclick: async () => { await api.cancel(run.id); ctx.toast('cancel requested'); } }, 'Cancel'),
      ctx.me.can.includes('operate') && run.status === 'Failed' && h('button', { 'data-testid': 'retry-run', onclick: async () => { await api.retry(run.id); ctx.toast('retrying from the failed step'); location.reload(); } }, 'Retry from failed step'));
    clear(summary);
    appendAll(summary, h('dl', { class: 'facts' },
      fact('workflow', h('a', { href: `#/workflow/${encodeURIComponent(run.workflowId)}?version=${run.definitionHash}`, 'data-testid': 'definition-link' },
        `${run.workflowId} v${detail.definition?.versionLabel ?? '?'} (${run.definitionHash.slice(0, 12)})`)),
      fact('metrics', h('a', { href: `#/metrics/${encodeURIComponent(run.workflowId)}`, 'data-testid': 'metrics-over-runs' }, 'across runs of this workflow')),
      fact('trigger', `${run.trigger}${run.triggerDetail ? ` · ${run.triggerDetail}` : ''}`),
      fact('started by', run.startedBy ?? ''),
      fact('started', time(run.createdAt)),
      fact('duration', duration(run.createdAt, run.finishedAt)),
      fact('parameters', h('code', {}, run.parametersJson)),
      run.outputsJson && fact('outputs', h('code', { class: 'wrap' }, run.outputsJson)),
      run.error && fact('error', h('pre', { class: 'error' }, run.error))));
  }

  function fact(label: string, value: Node | string): Node[] {
    return [h('dt', {}, label), h('dd', {}, value)];
  }

  function renderGraph(): void {
    clear(graphBox);
    const ids = def ? def.nodes.map((n) => n.id) : [...new Set(steps.map((s) => s.nodeId))];
    const graphNodes = ids.map((id) => {
      const state = nodes.find((n) => n.nodeId === id);
      const activity = def?.nodes.find((n) => n.id === id)?.activity ?? steps.find((s) => s.nodeId === id)?.activity ?? '';
      const running = steps.filter((s) => s.nodeId === id && s.status === 'Running');
      const progress = running.length === 1 && running[0].progress !== null ? ` ${Math.round(running[0].progress * 100)}%` : '';
      return {
        id, title: id, subtitle: `${activity} · ${state?.status ?? 'Waiting'}${progress}`, state: state?.status ?? 'Waiting',
        badge: state && state.mapElementCount > 1 ? `${state.mapElementsDone}/${state.mapElementCount}` : undefined,
      };
    });
    appendAll(graphBox, drawGraph(graphNodes, def ? edgesOf(def) : [], selectedNode, (id) => {
      selectedNode = id;
      selectedStep = steps.find((s) => s.nodeId === id)?.id ?? null;
      renderGraph();
      renderStep();
    }) as unknown as Node);
  }

  function renderStep(): void {
    clear(stepPanel);
    if (!selectedNode) {
      appendAll(stepPanel, h('h3', {}, 'Journal'), h('p', { class: 'muted' }, 'Select a node to see its steps and journal.'));
      return;
    }
    const nodeSteps = steps.filter((s) => s.nodeId === selectedNode).sort((a, b) => (a.mapIndex ?? -1) - (b.mapIndex ?? -1));
    appendAll(stepPanel, h('h3', {}, `Node ${selectedNode}`));
    if (nodeSteps.length > 1) {
      appendAll(stepPanel, h('div', { class: 'map-elements' }, nodeSteps.map((s) => h('button', {
        class: `small pill state-${s.status.toLowerCase()} ${s.id === selectedStep ? 'selected' : ''}`, 'data-step': s.id,
        onclick: () => { selectedStep = s.id; renderStep(); },
      }, `[${s.mapIndex}] ${s.status}`))));
    }
    const step = nodeSteps.find((s) => s.id === selectedStep) ?? nodeSteps[0];
    const journal = [...events.values()].filter((e) => e.stepId === (step?.id ?? `${run.id}/${selectedNode}`)).sort((a, b) => a.id - b.id);
    if (!step) {
      appendAll(stepPanel, h('p', { class: 'muted' }, `${nodes.find((n) => n.nodeId === selectedNode)?.status ?? 'Waiting'}: no step yet.`), journalTable(journal));
      return;
    }
    appendAll(stepPanel, 
      h('dl', { class: 'facts', 'data-testid': 'step-facts' },
        fact('step', h('code', {}, step.id)),
        fact('status', h('span', { class: `pill state-${step.status.toLowerCase()}` }, step.status)),
        fact('activity', `${step.activity} on queue ${step.queue}`),
        fact('attempts', String(step.attempt)),
        fact('worker', step.worker ?? ''),
        fact('scheduled', time(step.scheduledAt)),
        fact('started', time(step.startedAt)),
        fact('finished', time(step.finishedAt)),
        fact('duration', duration(step.startedAt, step.finishedAt)),
        fact('progress', h('span', {}, h('progress', { max: 1, value: step.progress ?? 0 }), ` ${step.progressMessage ?? ''}`))),
      step.error && h('pre', { class: 'error', 'data-testid': 'step-error' }, step.error),
      h('h4', {}, 'Inputs'), jsonBlock(step.inputsJson),
      h('h4', {}, 'Outputs'), jsonBlock(step.outputsJson),
      h('h4', {}, 'Journal'), journalTable(journal));
  }

  function jsonBlock(text: string | null): HTMLElement {
    if (!text) return h('p', { class: 'muted' }, '—');
    const value = JSON.parse(text);
    const links: HTMLElement[] = [];
    collectArtifacts(value, links);
    return h('div', {}, h('pre', { class: 'json-view' }, JSON.stringify(value, null, 2)), links.length > 0 && h('div', { class: 'inline' }, links));
  }

  function collectArtifacts(value: unknown, out: HTMLElement[]): void {
    if (Array.isArray(value)) value.forEach((v) => collectArtifacts(v, out));
    else if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      if (typeof o.hash === 'string' && typeof o.name === 'string' && /^[0-9a-f]{64}$/.test(o.hash)) {
        out.push(h('a', { class: 'artifact-link', href: artifactUrl({ hash: o.hash, name: o.name } as ArtifactRecord), download: o.name }, `⬇ ${o.name}`));
      } else Object.values(o).forEach((v) => collectArtifacts(v, out));
    }
  }

  function journalTable(journal: StepEvent[]): HTMLElement {
    return h('table', { class: 'table small journal', 'data-testid': 'journal' },
      h('thead', {}, h('tr', {}, ['time', 'attempt', 'kind', 'status', 'message', 'worker'].map((c) => h('th', {}, c)))),
      h('tbody', {}, journal.map((e) => h('tr', { class: `kind-${e.kind}` },
        h('td', {}, time(e.time)), h('td', {}, String(e.attempt)), h('td', {}, e.kind), h('td', {}, e.status ?? ''), h('td', { class: 'message' }, e.message ?? ''), h('td', {}, e.worker ?? '')))));
  }

  function renderArtifacts(): void {
    clear(artifactsBox);
    const list = [...artifacts.values()].sort((a, b) => a.id - b.id);
    appendAll(artifactsBox, h('h3', {}, `Artifacts (${list.length})`), list.length === 0 ? h('p', { class: 'muted' }, 'None yet.') :
      h('table', { class: 'table small' },
        h('thead', {}, h('tr', {}, ['name', 'size', 'step', 'hash', ''].map((c) => h('th', {}, c)))),
        h('tbody', {}, list.map((a) => h('tr', {},
          h('td', {}, h('a', { href: artifactUrl(a), download: a.name, 'data-artifact': a.name }, a.name)),
          h('td', {}, `${a.size.toLocaleString('en')} B`),
          h('td', {}, a.stepId.slice(run.id.length + 1)),
          h('td', {}, h('code', {}, a.hash.slice(0, 16))),
          h('td', {}, h('a', { href: `#/artifact/${a.hash}`, 'data-lineage': a.name }, 'lineage')))))),
      previews(list));
  }

  // Images a browser shows (not TIFF), the first few, straight from the artifact store.
  function previews(list: ArtifactRecord[]): Node | false {
    const images = list.filter((a) => /\.(png|jpe?g|gif|webp)$/i.test(a.name)).slice(0, 24);
    return images.length > 0 && h('div', { class: 'artifact-previews', 'data-testid': 'artifact-previews' },
      images.map((a) => h('figure', {}, h('img', { src: artifactUrl(a), alt: a.name, loading: 'lazy', 'data-preview': a.name }), h('figcaption', {}, a.name))));
  }

  // The report page is built on request (it reads every report of the run); it has no script and is framed with
  // every sandbox restriction, so nothing in it can act on the studio.
  const reportUrl = `/api/runs/${encodeURIComponent(runId)}/report`;
  function renderReport(): void {
    clear(reportBox);
    appendAll(reportBox, h('h3', {}, 'Report'),
      h('p', { class: 'muted small' }, "The run's scores in the paper's table layout beside the paper's values, with PR curves, AP per IoU, bars per cell type, training curves, mask overlays and the steps' timeline."),
      h('button', { 'data-testid': 'report-show', onclick: () => {
        clear(reportBox);
        appendAll(reportBox, h('h3', {}, 'Report'),
          h('a', { href: reportUrl, target: '_blank', rel: 'noopener', 'data-testid': 'report-open' }, 'open in a new tab'),
          h('iframe', { class: 'report-frame', sandbox: '', src: reportUrl, title: `report of run ${runId}`, 'data-testid': 'report-frame' }));
      } }, isDone() ? 'Show the report' : 'Show the report so far'));
  }

  function renderMetrics(): void {
    clear(metricsBox);
    const list = [...metrics.values()];
    appendAll(metricsBox, h('h3', {}, 'Metrics'), list.length === 0 ? h('p', { class: 'muted' }, 'None yet.') : metricCharts(list));
  }

  async function renderHistory(): Promise<void> {
    const entries = (await api.audit(run.id)).reverse();
    clear(historyBox);
    appendAll(historyBox, h('h3', {}, 'History'), h('ul', { class: 'small' }, entries.map((a) => h('li', {}, `${time(a.time)} — ${a.action.replace('run.', '')} by ${a.actor}${a.detail ? ` (${a.detail})` : ''}`))));
  }

  function renderAll(): void {
    void renderHistory().catch(() => {});
    renderHead();
    renderGraph();
    renderStep();
    renderArtifacts();
    renderMetrics();
    renderReport();
  }

  renderAll();
  let source: EventSource | null = null;
  if (!isDone()) {
    const lastEvent = Math.max(0, ...events.keys());
    source = new EventSource(`/api/runs/${encodeURIComponent(run.id)}/stream?after=${lastEvent}`);
    source.addEventListener('run', (e) => {
      const snap = JSON.parse((e as MessageEvent).data);
      run = snap.run; steps = snap.steps; nodes = snap.nodes;
      renderHead(); renderGraph(); renderStep();
    });
    source.addEventListener('journal', (e) => {
      for (const ev of JSON.parse((e as MessageEvent).data) as StepEvent[]) events.set(ev.id, ev);
      renderStep();
    });
    source.addEventListener('metrics', (e) => {
      for (const m of JSON.parse((e as MessageEvent).data) as MetricRecord[]) metrics.set(m.id, m);
      renderMetrics();
    });
    source.addEventListener('artifacts', (e) => {
      for (const a of JSON.parse((e as MessageEvent).data) as ArtifactRecord[]) artifacts.set(a.id, a);
      renderArtifacts();
    });
    source.addEventListener('end', () => {
      source?.close();
      source = null;
      renderAll();
    });
  }
  return () => source?.close();
};
