import { Dnd, Graph, Selection, Snapline, type Cell, type CellAttrs, type Edge, type Node, type NodeMetadata } from '@antv/x6';
import 'virtual:x6.css';
import type { LayoutBox, LayoutLink } from './autolayout';

/**
 * The workflow designer's canvas, on AntV X6: nodes with an input port per data input (left) and an output port per
 * output (right), connections drawn from an output to an input, type-checked while dragging by the editor's rule (an
 * input that would refuse the output is not offered and a drop there is refused), nodes moved by dragging (one or a
 * selection), a rubber band with Shift, pan by dragging the background, zoom with the wheel, fit, and nodes dragged in
 * from the palette. The canvas holds no state of its own: the editor owns the definition, tells the canvas what to show
 * with {@link Designer.show}, and hears of every gesture through the callbacks, which change the definition.
 */
export interface DesignNode {
  id: string;
  activity: string;
  subtitle: string;
  inputs: { name: string; label: string; type: string; required: boolean }[];
  outputs: { name: string; type: string }[];
  x: number;
  y: number;
  errors: number;
  state?: string;
}

export interface DesignEdge { from: string; out: string; to: string; input: string }

export interface DesignerEvents {
  /** The selection changed (nodes and connections). */
  select(nodes: string[], edges: DesignEdge[]): void;
  /** Whether an output may feed an input: true, or why not (shown while dragging). */
  canConnect(edge: DesignEdge): true | string;
  /** A connection was drawn (already checked with canConnect). */
  connect(edge: DesignEdge): void;
  /** Nodes were moved to these top-left corners. */
  move(moves: { id: string; x: number; y: number }[]): void;
  /** An activity was dropped from the palette at this top-left corner. */
  drop(activity: string, x: number, y: number): void;
}

export const NODE_WIDTH = 236;
const HEAD = 46;
const ROW = 18;

/** A node's box size from its port counts. */
export function nodeSize(inputs: number, outputs: number): { width: number; height: number } {
  return { width: NODE_WIDTH, height: HEAD + Math.max(inputs, outputs, 1) * ROW + 8 };
}

const portY = (i: number) => HEAD + i * ROW + ROW / 2;

Graph.registerNode('csf-node', {
  markup: [
    { tagName: 'rect', selector: 'body' },
    { tagName: 'rect', selector: 'head' },
    { tagName: 'text', selector: 'title' },
    { tagName: 'text', selector: 'subtitle' },
    { tagName: 'circle', selector: 'badge' },
    { tagName: 'text', selector: 'badgeText' },
  ],
  attrs: {
    body: { refWidth: '100%', refHeight: '100%', rx: 8, ry: 8, class: 'csf-body' },
    head: { refWidth: '100%', height: HEAD - 8, rx: 8, ry: 8, class: 'csf-head' },
    title: { x: 12, y: 18, class: 'csf-title', textAnchor: 'start', textVerticalAnchor: 'middle' },
    subtitle: { x: 12, y: 34, class: 'csf-subtitle', textAnchor: 'start', textVerticalAnchor: 'middle' },
    badge: { r: 10, cx: NODE_WIDTH - 2, cy: 2, class: 'csf-badge' },
    badgeText: { x: NODE_WIDTH - 2, y: 2, class: 'csf-badge-text', textAnchor: 'middle', textVerticalAnchor: 'middle' },
  },
  ports: {
    groups: {
      in: {
        position: 'absolute',
        markup: [{ tagName: 'circle', selector: 'dot' }],
        attrs: { dot: { r: 5, magnet: 'passive', class: 'csf-port csf-port-in' } },
        label: { position: { name: 'right', args: { x: 10, y: 0 } } },
      },
      out: {
        position: 'absolute',
        markup: [{ tagName: 'circle', selector: 'dot' }],
        attrs: { dot: { r: 5, magnet: true, class: 'csf-port csf-port-out' } },
        label: { position: { name: 'left', args: { x: -10, y: 0 } } },
      },
    },
  },
}, true);

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const edgeId = (e: DesignEdge) => `${e.from}.${e.out}->${e.to}.${e.input}`;

export class Designer {
  readonly graph: Graph;
  private readonly dnd: Dnd;
  private syncing = false;
  private readonly moved = new Set<string>();
  private pointerDown = false;
  private pending: [DesignNode[], DesignEdge[], string[]] | null = null;
  private readonly release = () => {
    if (!this.pointerDown) return;
    this.pointerDown = false;
    // After X6 has handled the same mouseup (connected, moved), draw what arrived meanwhile.
    setTimeout(() => { if (this.pending && !this.pointerDown) this.show(...this.pending); }, 0);
  };
  /** Why each refused input (by `node\u0000port`) refused the connection being drawn. */
  private readonly refusals = new Map<string, string>();

  /** The element to put on the page: it sizes the canvas (by its CSS), which follows it when it changes size. */
  readonly element: HTMLElement;
  private readonly container: HTMLElement;

  constructor(element: HTMLElement, private readonly events: DesignerEvents, private readonly readOnly: boolean, private readonly hint: (text: string) => void) {
    this.element = element;
    this.container = document.createElement('div');
    this.container.className = 'designer-graph';
    element.appendChild(this.container);
    this.graph = new Graph({
      container: this.container,
      autoResize: element,
      async: false, // views exist as soon as show() returns, so they can be marked (data-node, selected) at once
      background: { color: '#f7f8fb' },
      grid: { size: 10, visible: true, type: 'dot', args: { color: '#d5d9e2' } },
      panning: { enabled: true, eventTypes: ['leftMouseDown'] },
      mousewheel: { enabled: true, zoomAtMousePosition: true, minScale: 0.2, maxScale: 2.5, factor: 1.1 },
      scaling: { min: 0.2, max: 2.5 },
      interacting: () => (readOnly ? { nodeMovable: false, magnetConnectable: false, edgeMovable: false } : { nodeMovable: true, edgeMovable: false, edgeLabelMovable: false, arrowheadMovable: false, vertexMovable: false, vertexAddable: false }),
      connecting: {
        snap: { radius: 28 },
        allowBlank: false,
        allowLoop: false,
        allowNode: false,
        allowEdge: false,
        allowMulti: 'withPort',
        highlight: true,
        connector: { name: 'smooth' },
        connectionPoint: 'anchor',
        createEdge: () => this.graph.createEdge({ shape: 'edge', zIndex: -1, attrs: { line: { class: 'csf-edge csf-edge-drawing', targetMarker: 'classic', strokeDasharray: '5 4' } } }),
        validateMagnet: ({ magnet }) => !readOnly && magnet.getAttribute('port-group') === 'out',
        validateConnection: ({ sourceCell, targetCell, sourcePort, targetPort, targetMagnet }) => {
          if (!sourceCell || !targetCell || !targetMagnet || !sourcePort?.startsWith('out:') || !targetPort?.startsWith('in:')) return false;
          const verdict = this.events.canConnect({ from: sourceCell.id, out: sourcePort.slice(4), to: targetCell.id, input: targetPort.slice(3) });
          if (verdict !== true) this.refusals.set(`${targetCell.id}\u0000${targetPort}`, verdict);
          return verdict === true;
        },
      },
      highlighting: {
        magnetAvailable: { name: 'className', args: { className: 'csf-port-available' } },
        magnetAdsorbed: { name: 'className', args: { className: 'csf-port-adsorbed' } },
      },
    });
    this.graph.use(new Selection({
      enabled: true,
      multiple: true,
      rubberband: true,
      modifiers: 'shift',
      multipleSelectionModifiers: ['ctrl', 'meta', 'shift'],
      movable: !readOnly,
      showNodeSelectionBox: false,
      showEdgeSelectionBox: false,
      pointerEvents: 'none',
    }));
    this.graph.use(new Snapline({ enabled: !readOnly, sharp: true }));
    this.dnd = new Dnd({
      target: this.graph,
      scaled: true,
      getDragNode: (node) => node.clone({ keepId: true }),
      getDropNode: (node) => node.clone({ keepId: true }),
      validateNode: (node) => {
        const p = node.getPosition();
        this.events.drop(String(node.getData<{ activity: string }>()?.activity ?? ''), Math.round(p.x), Math.round(p.y));
        return false; // the editor adds the node to the definition, and show() draws it
      },
    });

    this.graph.on('selection:changed', () => {
      if (this.syncing) return;
      this.paintSelection();
      const cells = this.graph.getSelectedCells();
      this.events.select(cells.filter((c) => c.isNode()).map((c) => c.id), cells.filter((c): c is Edge => c.isEdge()).map((e) => e.getData<DesignEdge>()).filter(Boolean));
    });
    // The canvas takes the focus on a press (X6 keeps the default focus change from happening), so the editor's
    // shortcuts apply to it and not to the form field used last.
    this.container.addEventListener('mousedown', () => { this.pointerDown = true; element.focus({ preventScroll: true }); }, true);
    document.addEventListener('mouseup', this.release, true);
    this.graph.on('node:change:position', ({ node }) => { if (!this.syncing) this.moved.add(node.id); });
    this.graph.on('node:moved', () => this.flushMoves());
    this.graph.on('edge:connected', ({ edge, isNew }) => {
      const source = edge.getSourceCellId(), target = edge.getTargetCellId();
      const out = edge.getSourcePortId(), input = edge.getTargetPortId();
      this.graph.removeEdge(edge);
      if (!isNew || !source || !target || !out || !input) return;
      this.events.connect({ from: source, out: out.slice(4), to: target, input: input.slice(3) });
    });
    // Dropped on an input that refused: say why (the type rule or the cycle), so a refusal is never silent.
    this.graph.on('edge:mouseup', ({ e }) => {
      const port = document.elementFromPoint(e.clientX, e.clientY)?.closest('[port]');
      const cell = port?.closest('[data-cell-id]')?.getAttribute('data-cell-id');
      const why = cell ? this.refusals.get(`${cell}\u0000${port!.getAttribute('port')}`) : undefined;
      if (why) this.hint(`not connected: ${why}`);
      this.refusals.clear();
    });
    this.graph.on('blank:mouseup', () => this.flushMoves());
  }

  /**
   * Draws the definition as given: adds, changes and removes nodes and connections to match; keeps the view. While a
   * button is held on the canvas (a drag, a connection being drawn) the change waits for the release, so a validation
   * answer arriving mid-gesture cannot pull the port out from under the pointer.
   */
  show(nodes: DesignNode[], edges: DesignEdge[], selected: string[]): void {
    if (this.pointerDown) { this.pending = [nodes, edges, selected]; return; }
    this.pending = null;
    this.syncing = true;
    try {
      this.graph.batchUpdate(() => {
        const wanted = new Map(nodes.map((n) => [n.id, n]));
        for (const cell of this.graph.getNodes()) {
          const n = wanted.get(cell.id);
          if (!n || cell.getData<{ ports: string }>()?.ports !== portKey(n)) this.graph.removeNode(cell);
        }
        for (const n of nodes) {
          const existing = this.graph.getCellById(n.id) as Node | null;
          if (!existing) this.graph.addNode(this.nodeMeta(n));
          else {
            const p = existing.getPosition();
            if (p.x !== n.x || p.y !== n.y) existing.setPosition(n.x, n.y);
            const attrs = nodeAttrs(n);
            const key = JSON.stringify(attrs);
            if (existing.getData<{ attrs?: string }>()?.attrs !== key) {
              existing.setAttrs(attrs);
              existing.setData({ errors: n.errors, attrs: key }, { silent: true });
            }
          }
        }
        const wantedEdges = new Map(edges.map((e) => [edgeId(e), e]));
        for (const e of this.graph.getEdges()) if (!wantedEdges.has(e.id)) this.graph.removeEdge(e);
        for (const [id, e] of wantedEdges) {
          if (this.graph.getCellById(id)) continue;
          const from = wanted.get(e.from), to = wanted.get(e.to);
          if (!from?.outputs.some((o) => o.name === e.out) || !to?.inputs.some((i) => i.name === e.input)) continue;
          this.graph.addEdge({
            id, shape: 'edge', zIndex: -1, data: e,
            source: { cell: e.from, port: `out:${e.out}` },
            target: { cell: e.to, port: `in:${e.input}` },
            connector: { name: 'smooth' },
            attrs: { line: { class: 'csf-edge', targetMarker: { name: 'classic', size: 7 } } },
          });
        }
        const now = this.graph.getSelectedCells().map((c) => c.id).sort().join('\u0000');
        const next = selected.filter((id) => this.graph.getCellById(id));
        if (now !== [...next].sort().join('\u0000')) this.graph.resetSelection(next);
      });
    } finally {
      this.syncing = false;
    }
    this.paintSelection();
  }

  /** Starts dragging a new node of this activity from the palette. */
  startDrag(activity: string, subtitle: string, e: MouseEvent): void {
    if (this.readOnly) return;
    const size = nodeSize(1, 1);
    const node = this.graph.createNode({
      shape: 'csf-node', ...size, data: { activity },
      attrs: { title: { text: clip(activity, 26) }, subtitle: { text: clip(subtitle, 34) }, badge: { display: 'none' }, badgeText: { display: 'none' } },
    });
    this.dnd.start(node, e);
  }

  /** Where a point of the page lands on the canvas. */
  toCanvas(clientX: number, clientY: number): { x: number; y: number } {
    const p = this.graph.clientToLocal(clientX, clientY);
    return { x: Math.round(p.x), y: Math.round(p.y) };
  }

  /** The middle of what is visible, on the canvas (for pasting and adding with a click). */
  visibleCentre(): { x: number; y: number } {
    const r = this.container.getBoundingClientRect();
    return this.toCanvas(r.left + r.width / 2, r.top + r.height / 2);
  }

  fit(): void { this.graph.zoomToFit({ padding: 24, maxScale: 1 }); }
  zoom(factor: number): void { this.graph.zoomTo(Math.min(2.5, Math.max(0.2, this.graph.zoom() * factor))); }
  get scale(): number { return this.graph.zoom(); }

  /** Boxes and port places for the auto-layout. */
  static boxes(nodes: DesignNode[], edges: DesignEdge[]): { boxes: LayoutBox[]; links: LayoutLink[] } {
    return {
      boxes: nodes.map((n) => ({ id: n.id, ...nodeSize(n.inputs.length, n.outputs.length), inputs: n.inputs.map((p, i) => ({ id: `in:${p.name}`, y: portY(i) })), outputs: n.outputs.map((p, i) => ({ id: `out:${p.name}`, y: portY(i) })) })),
      links: edges.map((e) => ({ id: edgeId(e), from: e.from, fromPort: `out:${e.out}`, to: e.to, toPort: `in:${e.input}` })),
    };
  }

  dispose(): void {
    document.removeEventListener('mouseup', this.release, true);
    this.dnd.dispose();
    this.graph.dispose();
  }

  private flushMoves(): void {
    if (this.moved.size === 0) return;
    const moves = [...this.moved].map((id) => this.graph.getCellById(id)).filter((c): c is Node => !!c && c.isNode())
      .map((n) => ({ id: n.id, x: Math.round(n.getPosition().x), y: Math.round(n.getPosition().y) }));
    this.moved.clear();
    if (moves.length) this.events.move(moves);
  }

  /** Marks the views for styles and for tests: `data-node` / `data-edge`, `selected`, `has-errors`. */
  private paintSelection(): void {
    const selected = new Set(this.graph.getSelectedCells().map((c: Cell) => c.id));
    for (const n of this.graph.getNodes()) {
      const view = this.graph.findViewByCell(n)?.container;
      if (!view) continue;
      view.setAttribute('data-node', n.id);
      view.classList.toggle('selected', selected.has(n.id));
      view.classList.toggle('has-errors', (n.getData<{ errors?: number }>()?.errors ?? 0) > 0);
    }
    for (const e of this.graph.getEdges()) {
      const view = this.graph.findViewByCell(e)?.container;
      if (!view) continue;
      const d = e.getData<DesignEdge>();
      if (d) view.setAttribute('data-edge', `${d.from}.${d.out}->${d.to}.${d.input}`);
      view.classList.toggle('selected', selected.has(e.id));
    }
  }

  private nodeMeta(n: DesignNode): NodeMetadata {
    const size = nodeSize(n.inputs.length, n.outputs.length);
    return {
      id: n.id, shape: 'csf-node', x: n.x, y: n.y, ...size,
      data: { activity: n.activity, ports: portKey(n), errors: n.errors, attrs: JSON.stringify(nodeAttrs(n)) },
      attrs: nodeAttrs(n),
      ports: {
        items: [
          ...n.inputs.map((p, i) => ({
            id: `in:${p.name}`, group: 'in', args: { x: 0, y: portY(i) },
            attrs: { text: { text: clip(p.label, 24), class: `csf-port-label${p.required ? ' required' : ''}` }, dot: { title: `${p.label}: ${p.type}` } },
          })),
          ...n.outputs.map((p, i) => ({
            id: `out:${p.name}`, group: 'out', args: { x: size.width, y: portY(i) },
            attrs: { text: { text: clip(p.name, 18), class: 'csf-port-label' }, dot: { title: `${p.name}: ${p.type}` } },
          })),
        ],
      },
    };
  }
}

function portKey(n: DesignNode): string {
  return JSON.stringify([n.activity, n.inputs.map((p) => [p.name, p.label, p.type, p.required]), n.outputs.map((p) => [p.name, p.type])]);
}

function nodeAttrs(n: DesignNode): CellAttrs {
  const state = n.state ? ` state-${n.state.toLowerCase()}` : '';
  return {
    body: { class: `csf-body${n.errors ? ' has-errors' : ''}${state}` },
    title: { text: clip(n.id, 26) },
    subtitle: { text: clip(n.subtitle, 34) },
    badge: { display: n.errors ? null : 'none' },
    badgeText: { text: String(n.errors), display: n.errors ? null : 'none' },
  };
}
