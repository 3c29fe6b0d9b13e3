import { api, ApiError, exportUrl, type ActivityInfo, type DefinitionDraft, type DefinitionVersion, type Port, type ProblemItem } from './api';
import { layeredLayout } from './autolayout';
import { Designer, nodeSize, type DesignEdge, type DesignNode } from './designer';
import { appendAll, clear, h, time } from './dom';
import { TextHistory } from './history';
import { freshId, parseDefinition, writeDefinition, type NodeDef, type WorkflowDef } from './model';
import { palette } from './palette';
import { bindingOf, connect, disconnect, MAP_PORT, referencesOf, shownInputs } from './ports';
import type { View } from './main';

/** What Copy puts aside: nodes with their positions; kept across workflows, so nodes can be pasted into another. */
let clipboard: { nodes: NodeDef[]; positions: Record<string, { x: number; y: number }> } | null = null;

/**
 * The workflow editor: the designer (palette, canvas) beside the selected node's form (built from the activity's
 * description) and the JSON. A change on the canvas, in a form or in the JSON updates the other two, is one undo step,
 * and is validated by the server (problems shown on the nodes and fields). *Save draft* keeps the edits as the
 * workflow's draft (nothing runs it); *Publish* makes the draft a version, which runs and triggers then use. Opened
 * without a version, the editor shows the draft when there is one, else the latest published version.
 */
export const editorView: View = async (root, ctx, params, path) => {
  const workflowId = path[0];
  const activities = new Map((await api.activities()).map((a) => [a.activity, a] as [string, ActivityInfo]));
  let versions: DefinitionVersion[] = [];
  let loaded: DefinitionVersion | null = null;
  let draft: DefinitionDraft | null = null;
  let def: WorkflowDef;
  if (params.get('new') === '1') {
    def = { id: workflowId, version: 1, description: '', parameters: {}, nodes: [], outputs: {} };
  } else {
    draft = await api.draft(workflowId);
    versions = await api.versions(workflowId).catch((e) => { if (draft && e instanceof ApiError && e.problem.status === 404) return []; throw e; });
    const wanted = params.get('version');
    if (wanted || !draft) {
      loaded = await api.definition(wanted ?? versions[0].hash);
      def = parseDefinition(loaded.json!);
    } else {
      def = parseDefinition(draft.json);
    }
  }
  /** What the editor shows: the draft (also a new workflow), or a published version. */
  const editingDraft = !loaded;
  const canEdit = ctx.me.can.includes('edit');
  let text = writeDefinition(def);
  const history = new TextHistory(text);
  let problems: ProblemItem[] = [];
  let jsonError = '';
  let selected: string | null = def.nodes[0]?.id ?? null;
  let selectedNodes: string[] = selected ? [selected] : [];
  let selectedEdge: DesignEdge | null = null;
  let validateTimer = 0;
  let panelStale = false;
  let validation = 0;
  let allPorts = false;
  /** Positions of nodes the definition does not place yet, from the auto-layout (shown, written on the first move). */
  let placed = new Map<string, { x: number; y: number }>();
  let layoutRun = 0;

  const canvas = h('div', { class: 'designer-canvas', 'data-testid': 'graph', tabindex: 0, 'aria-label': 'workflow canvas' });
  const hint = h('div', { class: 'designer-hint', 'data-testid': 'designer-hint', role: 'status' });
  let hintTimer = 0;
  const say = (t: string) => { hint.textContent = t; clearTimeout(hintTimer); hintTimer = window.setTimeout(() => { hint.textContent = ''; }, 5000); };
  const nodePanel = h('div', { class: 'node-panel card', 'data-testid': 'node-panel' });
  const json = h('textarea', { class: 'json', spellcheck: 'false', 'data-testid': 'json', 'aria-label': 'definition JSON' });
  const jsonStatus = h('div', { class: 'json-status' });
  const problemsBox = h('div', { class: 'problems', 'data-testid': 'problems' });
  const status = h('span', { class: 'status', 'data-testid': 'validation-status' });
  const extra = h('div', { class: 'extra' });
  const undoButton = h('button', { class: 'small', 'data-testid': 'undo', title: 'undo (Ctrl+Z)', onclick: () => undo() }, '↶ Undo');
  const redoButton = h('button', { class: 'small', 'data-testid': 'redo', title: 'redo (Ctrl+Shift+Z or Ctrl+Y)', onclick: () => redo() }, '↷ Redo');
  const zoomLabel = h('span', { class: 'muted small', 'data-testid': 'zoom' }, '100%');
  const versionSelect = h('select', { 'data-testid': 'version-select' },
    draft && h('option', { value: 'draft', selected: editingDraft }, `draft · ${time(draft.savedAt)} · ${draft.savedBy ?? ''}`),
    versions.map((v) => h('option', { value: v.hash, selected: v.hash === loaded?.hash }, `v${v.versionLabel} · ${v.hash.slice(0, 10)} · ${time(v.savedAt)} · ${v.savedBy ?? ''}`)));
  versionSelect.onchange = () => { location.hash = versionSelect.value === 'draft' ? `#/workflow/${encodeURIComponent(workflowId)}` : `#/workflow/${encodeURIComponent(workflowId)}?version=${versionSelect.value}`; };

  const designer = new Designer(canvas, {
    select: (nodes, edges) => {
      selectedNodes = nodes;
      selectedEdge = nodes.length === 0 && edges.length === 1 ? edges[0] : null;
      selected = nodes.length === 1 ? nodes[0] : null;
      renderNodePanel();
    },
    canConnect: (c) => { const b = bindingOf(def, activities, c); return b.ok ? true : b.why; },
    connect: (c) => {
      const b = bindingOf(def, activities, c);
      const node = def.nodes.find((n) => n.id === c.to);
      if (!b.ok || !node) { say(`not connected: ${b.ok ? 'no such node' : b.why}`); return; }
      connect(node, c.input, `\${nodes.${c.from}.${c.out}}`, b.mode);
      selected = node.id;
      selectedNodes = [node.id];
      selectedEdge = null;
      changedFromModel(`connect`);
      say(`${c.from}.${c.out} → ${c.to}.${c.input === MAP_PORT ? 'map.over' : c.input}`);
    },
    move: (moves) => {
      const positions = layoutNodes();
      for (const m of moves) positions[m.id] = { x: m.x, y: m.y };
      changedFromModel('move');
    },
    drop: (activity, x, y) => addNode(activity, x, y),
  }, !canEdit, say);
  designer.graph.on('scale', ({ sx }) => { zoomLabel.textContent = `${Math.round(sx * 100)}%`; });

  /** The definition's layout positions, made when missing; every node shown gets one, so a move keeps the picture. */
  function layoutNodes(): Record<string, { x: number; y: number }> {
    const layout = (def.layout ??= {});
    layout.nodes ??= {};
    for (const n of def.nodes) if (!layout.nodes[n.id] && placed.has(n.id)) layout.nodes[n.id] = placed.get(n.id)!;
    return layout.nodes;
  }

  function positionsOf(): Record<string, { x: number; y: number }> {
    return def.layout?.nodes ?? {};
  }

  function addNode(activity: string, x: number, y: number): void {
    if (!activities.has(activity)) return;
    const id = freshId(def, activity);
    def.nodes.push({ id, activity, inputs: {} });
    layoutNodes()[id] = { x, y };
    selected = id;
    selectedNodes = [id];
    selectedEdge = null;
    changedFromModel();
    say(`added ${id}`);
  }

  /** Applies a change made to `def` (canvas or forms): the JSON, the canvas and the forms follow; one undo step. */
  const changedFromModel = (key: string | null = null) => {
    text = writeDefinition(def);
    history.record(text, key);
    json.value = text;
    jsonError = '';
    renderAll();
    scheduleValidate();
  };

  function restore(next: string | null): void {
    if (next === null) return;
    text = next;
    json.value = text;
    try {
      def = parseDefinition(text);
      jsonError = '';
    } catch (e) {
      jsonError = e instanceof Error ? e.message : String(e);
    }
    selectedNodes = selectedNodes.filter((id) => def.nodes.some((n) => n.id === id));
    selected = selected && def.nodes.some((n) => n.id === selected) ? selected : null;
    renderAll();
    scheduleValidate();
  }
  const undo = () => { if (canEdit) restore(history.undo()); };
  const redo = () => { if (canEdit) restore(history.redo()); };

  nodePanel.addEventListener('focusout', () => setTimeout(() => {
    if (panelStale && !nodePanel.contains(document.activeElement)) { panelStale = false; renderNodePanel(); }
  }, 0));

  json.value = text;
  json.addEventListener('input', () => {
    text = json.value;
    history.record(text, 'json');
    try {
      def = parseDefinition(text);
      jsonError = '';
      if (selected && !def.nodes.some((n) => n.id === selected)) selected = null;
      selectedNodes = selectedNodes.filter((id) => def.nodes.some((n) => n.id === id));
      renderGraph();
      renderNodePanel();
    } catch (e) {
      jsonError = e instanceof Error ? e.message : String(e);
    }
    jsonStatus.textContent = jsonError;
    renderUndo();
    scheduleValidate();
  });

  function scheduleValidate(): void {
    clearTimeout(validateTimer);
    status.textContent = 'checking…';
    status.className = 'status';
    validateTimer = window.setTimeout(validate, 350);
  }

  async function validate(): Promise<void> {
    const mine = ++validation;
    try {
      await api.validate(text);
      if (mine !== validation) return;
      problems = [];
    } catch (e) {
      if (mine !== validation) return;
      problems = e instanceof ApiError ? e.problem.errors ?? [{ nodeId: null, field: '', message: e.message, line: null, column: null }] : [];
    }
    status.textContent = problems.length === 0 ? 'valid' : `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    status.className = `status ${problems.length === 0 ? 'ok' : 'bad'}`;
    renderGraph();
    // Rebuilding the form under someone typing in it would drop what they typed: then it waits until they leave it.
    if (nodePanel.contains(document.activeElement)) panelStale = true;
    else renderNodePanel();
    renderProblems();
  }

  /** A role that cannot save sees the forms and the JSON without being able to change them. */
  function lockIfReadOnly(): void {
    if (canEdit) return;
    json.readOnly = true;
    nodePanel.querySelectorAll('input, select, button').forEach((el) => ((el as HTMLInputElement).disabled = true));
  }

  function renderAll(): void {
    renderGraph();
    renderNodePanel();
    renderProblems();
    renderUndo();
    jsonStatus.textContent = jsonError;
  }

  function renderUndo(): void {
    undoButton.disabled = !canEdit || !history.canUndo;
    redoButton.disabled = !canEdit || !history.canRedo;
  }

  function designNodes(): { nodes: DesignNode[]; edges: DesignEdge[] } {
    const ids = new Set(def.nodes.map((n) => n.id));
    const nodes = def.nodes.map((n) => {
      const activity = activities.get(n.activity);
      const inputs = shownInputs(n, activity, allPorts).map((p) => ({ ...p, label: p.name === MAP_PORT ? `map over (as ${n.map?.as ?? 'item'})` : p.name }));
      return {
        id: n.id,
        activity: n.activity,
        subtitle: `${n.activity}${n.map ? ' ×map' : ''}${activity ? '' : ' (unknown)'}`,
        inputs,
        outputs: (activity?.outputs ?? []).map((o) => ({ name: o.name, type: n.map ? `list<${o.type}>` : o.type })),
        x: 0, y: 0,
        errors: problems.filter((p) => p.nodeId === n.id).length,
      };
    });
    const edges: DesignEdge[] = [];
    for (const n of def.nodes) {
      for (const r of referencesOf(n)) {
        if (!ids.has(r.node) || edges.some((e) => e.from === r.node && e.out === r.output && e.to === n.id && e.input === r.input)) continue;
        edges.push({ from: r.node, out: r.output, to: n.id, input: r.input });
      }
    }
    return { nodes, edges };
  }

  /** Draws the definition on the canvas; nodes without a position are placed by the auto-layout first. */
  function renderGraph(): void {
    const { nodes, edges } = designNodes();
    const positions = positionsOf();
    const missing = nodes.filter((n) => !positions[n.id] && !placed.has(n.id));
    const draw = () => {
      for (const n of nodes) {
        const p = positions[n.id] ?? placed.get(n.id) ?? { x: 40, y: 40 };
        n.x = p.x; n.y = p.y;
      }
      designer.show(nodes, edges, selectedNodes.length ? selectedNodes : selectedEdge ? [] : []);
    };
    if (missing.length === 0) { draw(); return; }
    const mine = ++layoutRun;
    const { boxes, links } = Designer.boxes(nodes, edges);
    void layeredLayout(boxes, links).then((result) => {
      if (mine !== layoutRun) return;
      const firstLayout = placed.size === 0 && Object.keys(positions).length === 0;
      // Nodes new to a laid-out picture go below it, in the auto-layout's order, so nothing lands on a placed node.
      const bottom = Math.max(0, ...nodes.filter((n) => positions[n.id] || placed.has(n.id)).map((n) => { const p = positions[n.id] ?? placed.get(n.id)!; return p.y + nodeSize(n.inputs.length, n.outputs.length).height; }));
      let x = 24;
      const next = new Map(placed);
      for (const n of missing) {
        const p = result.get(n.id) ?? { x: 24, y: 24 };
        if (firstLayout) next.set(n.id, p);
        else { next.set(n.id, { x, y: bottom + 40 }); x += nodeSize(1, 1).width + 40; }
      }
      placed = next;
      draw();
      if (firstLayout) designer.fit();
    });
  }

  /** Lays out every node again (elkjs, layered, left to right) and keeps the positions in the layout. */
  async function autoLayout(): Promise<void> {
    const { nodes, edges } = designNodes();
    const { boxes, links } = Designer.boxes(nodes, edges);
    const result = await layeredLayout(boxes, links);
    const layout = (def.layout ??= {});
    layout.nodes = Object.fromEntries(def.nodes.map((n) => [n.id, result.get(n.id) ?? { x: 24, y: 24 }]));
    changedFromModel();
    designer.fit();
    say('laid out');
  }

  /** Removes nodes and everything that reads them (inputs, map.over, workflow outputs, positions). */
  function deleteNodes(ids: string[]): void {
    const gone = new Set(ids);
    if (gone.size === 0) return;
    def.nodes = def.nodes.filter((n) => !gone.has(n.id));
    for (const n of def.nodes) for (const r of referencesOf(n)) if (gone.has(r.node)) disconnect(n, r.input, r.node, r.output);
    for (const [name, ref] of Object.entries(def.outputs ?? {})) if (referencesOf({ id: '', activity: '', inputs: { ref } }).some((r) => gone.has(r.node))) delete def.outputs![name];
    const positions = positionsOf();
    for (const id of gone) { delete positions[id]; placed.delete(id); }
    selected = null;
    selectedNodes = [];
    selectedEdge = null;
    changedFromModel();
    say(`removed ${ids.length === 1 ? ids[0] : `${ids.length} nodes`}`);
  }

  function deleteEdge(e: DesignEdge): void {
    const node = def.nodes.find((n) => n.id === e.to);
    if (!node) return;
    disconnect(node, e.input, e.from, e.out);
    selectedEdge = null;
    changedFromModel();
    say(`disconnected ${e.from}.${e.out} from ${e.to}.${e.input === MAP_PORT ? 'map.over' : e.input}`);
  }

  function copySelection(): void {
    const chosen = def.nodes.filter((n) => selectedNodes.includes(n.id));
    if (chosen.length === 0) return;
    const positions = positionsOf();
    clipboard = { nodes: JSON.parse(JSON.stringify(chosen)) as NodeDef[], positions: Object.fromEntries(chosen.map((n) => [n.id, positions[n.id] ?? placed.get(n.id) ?? { x: 0, y: 0 }])) };
    say(`copied ${chosen.length} node${chosen.length === 1 ? '' : 's'}`);
  }

  /**
   * Pastes the copied nodes under fresh ids, offset from the originals (or in the middle of the view in another
   * workflow); references among the pasted nodes follow their new ids, references to other nodes stay.
   */
  function paste(): void {
    if (!clipboard || !canEdit) return;
    const renames = new Map<string, string>();
    const taken = new Set(def.nodes.map((n) => n.id));
    for (const n of clipboard.nodes) {
      let i = 2;
      const base = n.id.replace(/\d+$/, '') || 'node';
      let id = `${base}${i}`;
      while (taken.has(id)) id = `${base}${++i}`;
      taken.add(id);
      renames.set(n.id, id);
    }
    const sameWorkflow = clipboard.nodes.every((n) => def.nodes.some((m) => m.id === n.id));
    const xs = Object.values(clipboard.positions);
    const minX = Math.min(...xs.map((p) => p.x)), minY = Math.min(...xs.map((p) => p.y));
    const centre = designer.visibleCentre();
    const positions = layoutNodes();
    let textOf = JSON.stringify(clipboard.nodes);
    for (const [from, to] of renames) textOf = textOf.split(`\${nodes.${from}.`).join(`\${nodes.${to}.`);
    const pasted = JSON.parse(textOf) as NodeDef[];
    for (const n of pasted) {
      const original = n.id;
      n.id = renames.get(original)!;
      const p = clipboard.positions[original];
      positions[n.id] = sameWorkflow ? { x: p.x + 40, y: p.y + 40 } : { x: centre.x + p.x - minX, y: centre.y + p.y - minY };
      def.nodes.push(n);
    }
    selectedNodes = pasted.map((n) => n.id);
    selected = selectedNodes.length === 1 ? selectedNodes[0] : null;
    selectedEdge = null;
    changedFromModel();
    say(`pasted ${pasted.length} node${pasted.length === 1 ? '' : 's'}`);
  }

  /** Shortcuts while the editor is open and the focus is not in a field: undo/redo, copy/paste, select all, delete. */
  const onKey = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement | null;
    if (target && (target.closest('input, textarea, select, [contenteditable]') || !root.isConnected)) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    if (mod && key === 'z' && !e.shiftKey) { e.preventDefault(); undo(); }
    else if (mod && ((key === 'z' && e.shiftKey) || key === 'y')) { e.preventDefault(); redo(); }
    else if (mod && key === 'c') { copySelection(); }
    else if (mod && key === 'v') { e.preventDefault(); paste(); }
    else if (mod && key === 'a') { e.preventDefault(); selectedNodes = def.nodes.map((n) => n.id); selected = null; selectedEdge = null; renderGraph(); renderNodePanel(); }
    else if ((e.key === 'Backspace' || e.key === 'Delete') && canEdit) {
      if (selectedNodes.length) { e.preventDefault(); deleteNodes([...selectedNodes]); }
      else if (selectedEdge) { e.preventDefault(); deleteEdge(selectedEdge); }
    } else if (e.key === 'Escape') { selectedNodes = []; selected = null; selectedEdge = null; renderGraph(); renderNodePanel(); }
  };
  document.addEventListener('keydown', onKey);

  function renderProblems(): void {
    clear(problemsBox);
    if (problems.length === 0) return;
    appendAll(problemsBox, h('h3', {}, 'Problems'), h('ul', {}, problems.map((p) => h('li', { class: 'problem', 'data-node': p.nodeId ?? '' },
      p.nodeId ? h('a', { href: 'javascript:void 0', onclick: () => { selected = p.nodeId; selectedNodes = p.nodeId ? [p.nodeId] : []; selectedEdge = null; renderGraph(); renderNodePanel(); } }, p.nodeId) : '(workflow)',
      ' ', h('code', {}, p.field), p.line ? ` line ${p.line}:${p.column}` : '', ': ', p.message))));
  }

  function renderNodePanel(): void {
    panelStale = false;
    renderNodePanelContent();
    lockIfReadOnly();
  }

  function renderNodePanelContent(): void {
    clear(nodePanel);
    if (selectedNodes.length > 1) {
      appendAll(nodePanel, h('div', { class: 'panel-head' }, h('h3', {}, `${selectedNodes.length} nodes`),
        canEdit && h('button', { class: 'danger small', 'data-testid': 'remove-nodes', onclick: () => deleteNodes([...selectedNodes]) }, 'Remove')),
        h('p', { class: 'muted small' }, selectedNodes.join(', ')),
        h('p', { class: 'muted small' }, 'Drag one of them to move them all; Ctrl+C copies them, Backspace removes them.'));
      return;
    }
    if (selectedEdge) {
      const e = selectedEdge;
      appendAll(nodePanel, h('div', { class: 'panel-head' }, h('h3', {}, 'Connection'),
        canEdit && h('button', { class: 'danger small', 'data-testid': 'disconnect', onclick: () => deleteEdge(e) }, 'Disconnect')),
        h('p', {}, h('code', {}, `\${nodes.${e.from}.${e.out}}`), ' → ', h('code', {}, e.input === MAP_PORT ? `${e.to}.map.over` : `${e.to}.${e.input}`)));
      return;
    }
    const index = def.nodes.findIndex((n) => n.id === selected);
    if (index < 0) {
      renderWorkflowPanel();
      return;
    }
    const node = def.nodes[index];
    const activity = activities.get(node.activity);
    const fieldProblems = (field: string) => problems.filter((p) => p.field === field || p.field.startsWith(`${field}.`) || p.field.startsWith(`${field}[`));
    const idInput = h('input', { value: node.id, 'data-testid': 'node-id' });
    idInput.addEventListener('change', () => renameNode(node.id, idInput.value.trim()));
    const activitySelect = h('select', { 'data-testid': 'node-activity' }, [...activities.keys()].map((t) => h('option', { value: t, selected: t === node.activity }, t)),
      !activity && h('option', { value: node.activity, selected: true }, `${node.activity} (unknown)`));
    activitySelect.addEventListener('change', () => { node.activity = activitySelect.value; changedFromModel(); });
    appendAll(nodePanel, 
      h('div', { class: 'panel-head' }, h('h3', {}, 'Node'), canEdit && h('button', { class: 'danger small', 'data-testid': 'remove-node', onclick: () => deleteNodes([node.id]) }, 'Remove')),
      h('label', {}, 'id', idInput),
      h('label', {}, 'activity', activitySelect),
      activity && h('p', { class: 'muted small' }, activity.description),
      nodeProblems(fieldProblems(`nodes[${index}].id`).concat(fieldProblems(`nodes[${index}].activity`))),
      runSettings(node, index, fieldProblems),
      h('h4', {}, 'Inputs'),
      (activity?.inputs ?? []).map((port) => inputRow(node, port, fieldProblems(`nodes[${index}].inputs.${port.name}`))),
      Object.keys(node.inputs ?? {}).filter((k) => !activity?.inputs.some((p) => p.name === k)).map((k) =>
        inputRow(node, { name: k, type: 'json', description: 'not an input of this activity' }, fieldProblems(`nodes[${index}].inputs.${k}`))),
      activity && h('h4', {}, 'Outputs'),
      activity && h('ul', { class: 'outputs small' }, activity.outputs.map((o) => h('li', {}, h('code', {}, `\${nodes.${node.id}.${o.name}}`), ` ${o.type} — ${o.description}`))),
      nodeProblems(problems.filter((p) => p.nodeId === node.id && !['inputs.', 'id', 'activity', 'map', 'retry', 'timeout', 'queue', 'cache'].some((f) => p.field.startsWith(`nodes[${index}].${f}`)))));
  }

  /**
   * How the node runs, as forms (the same fields as the JSON): map over a list (a reference picked from the parameters
   * and other nodes' outputs, or typed), the element's name, queue, retry (attempts, backoff, delay, maxDelay), the
   * timeout of one attempt and the step cache. Emptying a field removes it, so the engine's default applies.
   */
  function runSettings(node: NodeDef, index: number, fieldProblems: (field: string) => ProblemItem[]): HTMLElement {
    const activity = activities.get(node.activity);
    const at = (f: string) => `nodes[${index}].${f}`;
    const mapOn = h('input', { type: 'checkbox', checked: !!node.map, 'data-testid': 'node-map' });
    mapOn.addEventListener('change', () => {
      if (mapOn.checked) node.map = { over: '', as: 'item' };
      else delete node.map;
      changedFromModel();
    });
    const lists = referenceOptions(node, { name: 'map', type: 'list<json>', description: '' }).filter((r) => !r.startsWith(`\${${node.map?.as ?? 'item'}}`));
    const overPick = h('select', { 'data-testid': 'node-map-over-pick', title: 'a parameter or another node\'s output that is a list' },
      h('option', { value: '' }, 'pick a list…'), lists.map((r) => h('option', { value: r, selected: r === node.map?.over }, r)));
    overPick.addEventListener('change', () => { if (overPick.value && node.map) { node.map.over = overPick.value; changedFromModel(); } });
    const queue = h('select', { 'data-testid': 'node-queue' }, h('option', { value: '' }, `default (${activity?.queue ?? 'cpu'})`),
      ['cpu', 'gpu'].map((q) => h('option', { value: q, selected: node.queue === q }, q)));
    queue.addEventListener('change', () => { if (queue.value) node.queue = queue.value; else delete node.queue; changedFromModel(); });
    const retry = (node.retry ?? {}) as { attempts?: number; backoff?: string; delay?: string; maxDelay?: string };
    const setRetry = (key: keyof typeof retry, value: string | number | undefined) => {
      const next = { ...retry } as Record<string, unknown>;
      if (value === undefined || value === '') delete next[key]; else next[key] = value;
      if (Object.keys(next).length === 0) delete node.retry; else node.retry = next;
      changedFromModel();
    };
    const attempts = h('input', { type: 'number', min: 1, max: 100, value: retry.attempts ?? '', placeholder: '1 (no retry)', 'data-testid': 'node-retry-attempts' });
    attempts.addEventListener('change', () => setRetry('attempts', attempts.value === '' ? undefined : Number(attempts.value)));
    const backoff = h('select', { 'data-testid': 'node-retry-backoff' }, h('option', { value: '' }, 'default backoff'), ['fixed', 'exponential'].map((b) => h('option', { value: b, selected: retry.backoff === b }, b)));
    backoff.addEventListener('change', () => setRetry('backoff', backoff.value));
    const duration = (value: string | undefined, testid: string, placeholder: string, set: (v: string) => void) => {
      const input = h('input', { value: value ?? '', placeholder, 'data-testid': testid, title: 'a number and a unit (500ms, 30s, 10m, 2h) or hh:mm:ss' });
      input.addEventListener('change', () => set(input.value.trim()));
      return input;
    };
    const cache = h('input', { type: 'checkbox', checked: node.cache !== false, 'data-testid': 'node-cache' });
    cache.addEventListener('change', () => { if (cache.checked) delete node.cache; else node.cache = false; changedFromModel(); });
    return h('div', { class: 'run-settings' },
      h('h4', {}, 'Run settings'),
      h('label', { class: 'inline' }, mapOn, ' map: one step per element of a list'),
      node.map && h('div', { class: 'input-row' },
        h('label', {}, h('span', { class: 'port' }, 'map over'), textInput(node.map.over, (v) => { node.map!.over = v; })), overPick,
        h('label', {}, h('span', { class: 'port' }, 'element name'), textInput(node.map.as ?? 'item', (v) => { node.map!.as = v || 'item'; })),
        nodeProblems(fieldProblems(at('map')))),
      h('label', {}, 'queue', queue),
      activity && (node.queue ?? activity.queue) === 'gpu' && h('p', { class: 'muted small', 'data-testid': 'node-device-use' },
        activity.sharesDevice ? 'gpu device: shared with other sharing steps (when a worker has more gpu slots than devices)' : 'gpu device: held alone while the step runs'),
      nodeProblems(fieldProblems(at('queue'))),
      h('div', { class: 'inline' }, h('label', {}, 'retry attempts', attempts), h('label', {}, 'backoff', backoff)),
      h('div', { class: 'inline' },
        h('label', {}, 'delay', duration(retry.delay, 'node-retry-delay', 'default', (v) => setRetry('delay', v))),
        h('label', {}, 'max delay', duration(retry.maxDelay, 'node-retry-max-delay', 'none', (v) => setRetry('maxDelay', v)))),
      nodeProblems(fieldProblems(at('retry'))),
      h('label', {}, 'timeout of one attempt', duration(node.timeout, 'node-timeout', 'none', (v) => { if (v) node.timeout = v; else delete node.timeout; changedFromModel(); })),
      nodeProblems(fieldProblems(at('timeout'))),
      h('label', { class: 'inline' }, cache, ' reuse cached outputs (step cache)'), nodeProblems(fieldProblems(at('cache'))));
  }

  /** With no node selected: the workflow's description, parameters (name, type, default) and outputs. */
  function renderWorkflowPanel(): void {
    const problemsOf = (prefix: string) => problems.filter((p) => p.field === prefix || p.field.startsWith(`${prefix}.`));
    const types = ['string', 'int', 'number', 'bool', 'json', 'list<string>', 'list<int>', 'list<number>'];
    def.parameters ??= {};
    def.outputs ??= {};
    const parameters = def.parameters;
    const outputs = def.outputs;
    const newParam = h('input', { placeholder: 'new parameter', 'data-testid': 'new-parameter' });
    const newOutput = h('input', { placeholder: 'new output', 'data-testid': 'new-output' });
    const outputRefs = def.nodes.flatMap((n) => (activities.get(n.activity)?.outputs ?? []).map((o) => `\${nodes.${n.id}.${o.name}}`));
    appendAll(nodePanel,
      h('div', { class: 'panel-head' }, h('h3', {}, 'Workflow'), h('span', { class: 'muted small' }, def.nodes.length ? 'select a node to edit it' : 'add a node to begin')),
      h('label', {}, 'description', textInput(def.description ?? '', (v) => { def.description = v; })),
      h('h4', {}, 'Parameters'),
      Object.entries(parameters).map(([name, p]) => {
        const type = h('select', { 'data-param-type': name }, types.map((t) => h('option', { value: t, selected: t === p.type }, t)), !types.includes(p.type) && h('option', { value: p.type, selected: true }, p.type));
        type.addEventListener('change', () => { p.type = type.value; changedFromModel(); });
        const fallback = h('input', { value: p.default === undefined ? '' : JSON.stringify(p.default), placeholder: 'default (JSON); empty: required', 'data-param-default': name });
        fallback.addEventListener('change', () => {
          if (fallback.value === '') delete p.default;
          else { try { p.default = JSON.parse(fallback.value); } catch { p.default = fallback.value; } }
          changedFromModel();
        });
        return h('div', { class: 'input-row' }, h('span', { class: 'port' }, name), h('div', { class: 'inline' }, type, fallback,
          h('button', { class: 'small danger', onclick: () => { delete parameters[name]; changedFromModel(); } }, '✕')), nodeProblems(problemsOf(`parameters.${name}`)));
      }),
      h('div', { class: 'inline' }, newParam, h('button', {
        class: 'small', 'data-testid': 'add-parameter',
        onclick: () => { if (newParam.value && !parameters[newParam.value]) { parameters[newParam.value] = { type: 'string' }; changedFromModel(); } },
      }, 'Add parameter')),
      h('h4', {}, 'Outputs'),
      Object.entries(outputs).map(([name, ref]) => {
        const select = h('select', { 'data-output': name }, h('option', { value: '' }, 'choose a node output…'), [...new Set([...outputRefs, ref])].map((r) => h('option', { value: r, selected: r === ref }, r)));
        select.addEventListener('change', () => { outputs[name] = select.value; changedFromModel(); });
        return h('div', { class: 'input-row' }, h('span', { class: 'port' }, name), h('div', { class: 'inline' }, select,
          h('button', { class: 'small danger', onclick: () => { delete outputs[name]; changedFromModel(); } }, '✕')), nodeProblems(problemsOf(`outputs.${name}`)));
      }),
      h('div', { class: 'inline' }, newOutput, h('button', {
        class: 'small', 'data-testid': 'add-output',
        onclick: () => { if (newOutput.value && !outputs[newOutput.value]) { outputs[newOutput.value] = outputRefs[0] ?? ''; changedFromModel(); } },
      }, 'Add output')),
      nodeProblems(problems.filter((p) => p.nodeId === null && !p.field.startsWith('parameters.') && !p.field.startsWith('outputs.'))));
  }

  function textInput(value: string, set: (v: string) => void): HTMLInputElement {
    const input = h('input', { value });
    input.addEventListener('change', () => { set(input.value); changedFromModel(); });
    return input;
  }

  function inputRow(node: NodeDef, port: Port, rowProblems: ProblemItem[]): HTMLElement {
    const value = node.inputs?.[port.name];
    const shown = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
    const input = h('input', {
      value: shown, 'data-input': port.name, placeholder: port.default !== undefined && port.default !== null ? `default ${JSON.stringify(port.default)}` : port.required ? 'required' : '',
      class: rowProblems.length ? 'invalid' : '',
    });
    input.addEventListener('change', () => {
      node.inputs ??= {};
      const t = input.value;
      if (t === '') delete node.inputs[port.name];
      else if (port.type === 'string' || t.startsWith('${')) node.inputs[port.name] = t;
      else {
        try { node.inputs[port.name] = JSON.parse(t); } catch { node.inputs[port.name] = t; }
      }
      changedFromModel();
    });
    const sources = referenceOptions(node, port);
    const link = h('select', { class: 'link-select', 'data-link': port.name, title: 'connect to a parameter or another node\'s output' },
      h('option', { value: '' }, 'connect…'), sources.map((r) => h('option', { value: r, selected: r === value }, r)));
    link.addEventListener('change', () => {
      if (!link.value) return;
      node.inputs ??= {};
      node.inputs[port.name] = link.value;
      changedFromModel();
    });
    return h('div', { class: 'input-row' },
      h('label', { title: port.description }, h('span', { class: 'port' }, port.name, port.required ? h('b', {}, ' *') : '', h('span', { class: 'muted' }, ` ${port.type}`)), input),
      link,
      nodeProblems(rowProblems));
  }

  function referenceOptions(node: NodeDef, port: Port): string[] {
    const refs: string[] = [];
    for (const name of Object.keys(def.parameters ?? {})) refs.push(`\${params.${name}}`);
    if (node.map) refs.push(`\${${node.map.as ?? 'item'}}`);
    for (const other of def.nodes) {
      if (other.id === node.id) continue;
      for (const out of activities.get(other.activity)?.outputs ?? []) {
        if (port.type === 'json' || out.type === port.type || port.type === `list<${out.type}>` || out.type.startsWith('list<') || other.map) refs.push(`\${nodes.${other.id}.${out.name}}`);
      }
    }
    return refs;
  }

  function nodeProblems(list: ProblemItem[]): HTMLElement | false {
    return list.length > 0 && h('ul', { class: 'node-problems', 'data-testid': 'node-problems' }, list.map((p) => h('li', {}, p.message)));
  }

  function renameNode(from: string, to: string): void {
    if (!to || to === from) return;
    if (def.nodes.some((n) => n.id === to)) { ctx.toast(`a node '${to}' exists already`, 'error'); renderNodePanel(); return; }
    const rewritten = writeDefinition(def).split(`\${nodes.${from}.`).join(`\${nodes.${to}.`);
    def = parseDefinition(rewritten);
    const node = def.nodes.find((n) => n.id === from);
    if (node) node.id = to;
    const positions = positionsOf();
    if (positions[from]) { positions[to] = positions[from]; delete positions[from]; }
    if (placed.has(from)) { placed.set(to, placed.get(from)!); placed.delete(from); }
    selected = to;
    selectedNodes = [to];
    changedFromModel();
  }

  /** Saves the editor's content as the draft; problems do not stop a draft (they stop publishing). */
  async function saveDraft(): Promise<void> {
    try {
      const saved = await api.saveDraft(workflowId, text);
      ctx.toast(saved.problems.length === 0 ? 'draft saved' : `draft saved with ${saved.problems.length} problem${saved.problems.length === 1 ? '' : 's'} (fix them to publish)`);
      location.hash = `#/workflow/${encodeURIComponent(workflowId)}?saved=${Date.now()}`;
    } catch (e) {
      ctx.toast(e instanceof Error ? e.message : String(e), 'error');
      if (e instanceof ApiError && e.problem.errors) { problems = e.problem.errors; renderAll(); }
    }
  }

  async function publish(): Promise<void> {
    try {
      if (!draft || writeDefinition(parseDefinition(draft.json)) !== text) await api.saveDraft(workflowId, text);
      const result = await api.publish(workflowId);
      ctx.toast(result.created ? `published version ${result.version.versionLabel}${result.note ? ` (${result.note})` : ''}` : 'no change: this content is published already');
      location.hash = `#/workflow/${encodeURIComponent(workflowId)}?version=${result.version.hash}&saved=${Date.now()}`;
    } catch (e) {
      ctx.toast(e instanceof Error ? e.message : String(e), 'error');
      if (e instanceof ApiError && e.problem.errors) { problems = e.problem.errors; renderAll(); }
    }
  }

  async function discard(): Promise<void> {
    if (!confirm('Discard the draft? The published versions stay.')) return;
    await api.discardDraft(workflowId);
    ctx.toast('draft discarded');
    location.hash = versions.length ? `#/workflow/${encodeURIComponent(workflowId)}?saved=${Date.now()}` : '#/workflows';
  }

  /** Two versions compared; with a draft, the draft (on the right) against the latest published version by default. */
  function showDiff(): void {
    clear(extra);
    const choices = [...(draft ? [{ hash: 'draft', label: 'draft' }] : []), ...versions.map((v) => ({ hash: v.hash, label: `v${v.versionLabel} ${v.hash.slice(0, 10)}` }))];
    if (choices.length < 2) { extra.append(h('p', { class: 'muted' }, 'Only one version saved: nothing to compare.')); return; }
    const from = h('select', { 'data-testid': 'diff-from' }, choices.map((v, i) => h('option', { value: v.hash, selected: i === 1 }, v.label)));
    const to = h('select', { 'data-testid': 'diff-to' }, choices.map((v, i) => h('option', { value: v.hash, selected: i === 0 }, v.label)));
    const out = h('div', {});
    const run = async () => {
      clear(out);
      const diff = await api.diff(workflowId, from.value, to.value);
      appendAll(out, h('p', {}, `+${diff.added} −${diff.removed}`), h('pre', { class: 'diff', 'data-testid': 'diff' }, diff.lines.map((l) => h('div', { class: l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'same' }, `${l.op} ${l.text}`))));
    };
    appendAll(extra, h('div', { class: 'card' }, h('h3', {}, draft ? 'Diff: draft and published versions' : 'Diff versions'), h('div', { class: 'inline' }, 'from ', from, ' to ', to, h('button', { onclick: run, 'data-testid': 'diff-run' }, 'Compare')), out));
    void run();
  }

  function showStart(): void {
    clear(extra);
    const shown = loaded?.json ?? draft?.json;
    if (!shown) return;
    const dirty = writeDefinition(parseDefinition(shown)) !== text;
    const fields = Object.entries(def.parameters ?? {}).map(([name, p]) => {
      const input = h('input', { 'data-param': name, value: p.default === undefined ? '' : typeof p.default === 'string' ? p.default : JSON.stringify(p.default) });
      return { name, input, row: h('label', {}, h('span', { class: 'port' }, name, h('span', { class: 'muted' }, ` ${p.type}`)), input, p.description && h('span', { class: 'muted small' }, p.description)) };
    });
    const error = h('p', { class: 'error' });
    appendAll(extra, h('div', { class: 'card start-run', 'data-testid': 'start-panel' },
      h('h3', {}, loaded ? `Start a run of v${loaded.versionLabel} (${loaded.hash.slice(0, 12)})` : 'Start a run of the draft'),
      !loaded && h('p', { class: 'muted small' }, 'Runs the draft as saved; triggers and plain runs keep using the latest published version.'),
      dirty && h('p', { class: 'warn' }, `The editor has unsaved changes: the run uses the ${loaded ? 'saved version' : 'saved draft'} shown here.`),
      fields.map((f) => f.row),
      h('button', {
        'data-testid': 'start-run',
        onclick: async () => {
          try {
            const parameters = Object.fromEntries(fields.filter((f) => f.input.value !== '').map((f) => [f.name, f.input.value]));
            const { runId } = loaded ? await api.start(workflowId, loaded.hash, parameters) : await api.start(workflowId, null, parameters, true);
            location.hash = `#/run/${encodeURIComponent(runId)}`;
          } catch (e) {
            error.textContent = e instanceof ApiError && e.problem.errors ? e.problem.errors.map((p) => `${p.field}: ${p.message}`).join('; ') : String(e);
          }
        },
      }, 'Start run'),
      error));
  }

  appendAll(root, 
    h('div', { class: 'toolbar' },
      h('h1', {}, workflowId),
      (loaded || draft) && versionSelect,
      h('span', { class: `pill ${editingDraft ? 'draft' : ''}`, 'data-testid': 'editing' }, editingDraft
        ? (draft ? `draft${draft.baseHash ? ` (from ${draft.baseHash.slice(0, 10)})` : ''}` : 'new draft')
        : `published v${loaded!.versionLabel}${draft ? ' · a draft exists' : ''}`),
      status,
      ctx.me.can.includes('edit')
        ? [h('button', { 'data-testid': 'save', onclick: saveDraft }, 'Save draft'),
          h('button', { class: 'primary', 'data-testid': 'publish', onclick: publish, title: 'save the editor as the draft and publish it as a new version' }, 'Publish'),
          draft && h('button', { class: 'danger', 'data-testid': 'discard-draft', onclick: discard }, 'Discard draft')]
        : h('span', { class: 'muted small', 'data-testid': 'read-only' }, `read-only: a ${ctx.me.role} cannot save drafts or publish`),
      (versions.length + (draft ? 1 : 0)) > 1 && h('button', { 'data-testid': 'diff-open', onclick: showDiff }, draft && versions.length ? 'Diff draft ↔ published' : 'Diff versions'),
      (loaded || draft) && ctx.me.can.includes('operate') && h('button', { 'data-testid': 'start-open', onclick: showStart }, loaded ? 'Start run…' : 'Run draft…'),
      loaded && h('a', { href: `#/runs?workflow=${encodeURIComponent(workflowId)}&version=${loaded.hash}`, 'data-testid': 'version-runs' }, 'Runs of this version'),
      loaded && h('a', { class: 'button', href: exportUrl(workflowId, loaded.hash), download: `${workflowId}.json`, 'data-testid': 'export' }, 'Export')),
    h('div', { class: 'editor' },
      canEdit && palette([...activities.values()], (a, e) => designer.startDrag(a.activity, a.activity, e), (a) => { const c = designer.visibleCentre(); addNode(a.activity, c.x - 118, c.y - 40); }),
      h('section', { class: 'card graph-panel' },
        h('div', { class: 'panel-head designer-tools' }, h('h3', {}, 'Designer'),
          h('button', { class: 'small', 'data-testid': 'workflow-settings', onclick: () => { selected = null; selectedNodes = []; selectedEdge = null; renderGraph(); renderNodePanel(); } }, 'Workflow…'),
          canEdit && [undoButton, redoButton],
          h('button', { class: 'small', 'data-testid': 'zoom-out', title: 'zoom out (wheel)', onclick: () => designer.zoom(1 / 1.2) }, '−'),
          zoomLabel,
          h('button', { class: 'small', 'data-testid': 'zoom-in', title: 'zoom in (wheel)', onclick: () => designer.zoom(1.2) }, '+'),
          h('button', { class: 'small', 'data-testid': 'fit', title: 'fit the workflow in the view', onclick: () => designer.fit() }, 'Fit'),
          canEdit && h('button', { class: 'small', 'data-testid': 'auto-layout', title: 'lay every node out again, left to right', onclick: () => void autoLayout() }, 'Auto-layout'),
          h('label', { class: 'inline small', title: 'also draw settings (numbers, text, switches) as ports' }, h('input', {
            type: 'checkbox', 'data-testid': 'all-ports',
            onchange: (e: Event) => { allPorts = (e.target as HTMLInputElement).checked; placed = new Map(); renderGraph(); },
          }), ' all inputs')),
        canvas,
        h('p', { class: 'muted small designer-help' }, canEdit
          ? 'Drag activities in; drag from an output (right) to an input (left) to connect. Drag the background to pan, the wheel to zoom, Shift-drag to select several. Ctrl+Z/Ctrl+Shift+Z, Ctrl+C/Ctrl+V, Backspace removes.'
          : 'Read-only. Drag the background to pan, the wheel to zoom.'),
        hint),
      h('div', { class: 'side' }, nodePanel,
        h('section', { class: 'card json-panel' }, h('h3', {}, 'JSON'), json, jsonStatus))),
    problemsBox,
    extra);
  renderAll();
  void validate();
  return () => {
    clearTimeout(validateTimer);
    clearTimeout(hintTimer);
    document.removeEventListener('keydown', onKey);
    designer.dispose();
  };
};
