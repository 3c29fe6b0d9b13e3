import { s } from './dom';
import { layout, NODE_H, NODE_W } from './layout';
import type { Edge } from './model';

export interface GraphNode { id: string; title: string; subtitle: string; state?: string; badge?: string; errors?: string[] }

/** Draws a DAG as SVG, laid out automatically; a click on a node calls onSelect. */
export function drawGraph(nodes: GraphNode[], edges: Edge[], selected: string | null, onSelect: (id: string) => void): SVGElement {
  const placed = layout(nodes.map((n) => n.id), edges);
  const svg = s('svg', { class: 'graph', viewBox: `0 0 ${Math.max(placed.width, 300)} ${Math.max(placed.height, 120)}`, width: Math.max(placed.width, 300), height: Math.max(placed.height, 120), 'data-testid': 'graph' });
  svg.appendChild(s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }))));
  for (const e of edges) {
    const a = placed.nodes.get(e.from);
    const b = placed.nodes.get(e.to);
    if (!a || !b) continue;
    // From the bottom of one box through the waypoints to the top of the other, each hop a vertical S-curve.
    const points = [{ x: a.x + NODE_W / 2, y: a.y + NODE_H }];
    for (const w of placed.waypoints.get(`${e.from}->${e.to}`) ?? []) points.push({ x: w.x, y: w.y - NODE_H / 2 }, { x: w.x, y: w.y + NODE_H / 2 });
    points.push({ x: b.x + NODE_W / 2, y: b.y - 2 });
    let d = `M ${points[0].x} ${points[0].y}`;
    for (let i = 1; i < points.length; i++) {
      const p = points[i - 1], q = points[i];
      if (p.x === q.x) d += ` L ${q.x} ${q.y}`;
      else {
        const mid = (p.y + q.y) / 2;
        d += ` C ${p.x} ${mid}, ${q.x} ${mid}, ${q.x} ${q.y}`;
      }
    }
    const path = s('path', { d, class: 'edge', 'marker-end': 'url(#arrow)' });
    path.appendChild(s('title', {}, e.label));
    svg.appendChild(path);
  }
  for (const n of nodes) {
    const p = placed.nodes.get(n.id)!;
    const classes = ['node', n.state ? `state-${n.state.toLowerCase()}` : '', n.errors?.length ? 'has-errors' : '', n.id === selected ? 'selected' : ''].filter(Boolean).join(' ');
    const g = s('g', { class: classes, transform: `translate(${p.x},${p.y})`, 'data-node': n.id, tabindex: 0 });
    g.appendChild(s('rect', { width: NODE_W, height: NODE_H, rx: 8 }));
    g.appendChild(s('text', { x: 10, y: 22, class: 'title' }, clip(n.title, 24)));
    g.appendChild(s('text', { x: 10, y: 42, class: 'subtitle' }, clip(n.subtitle, 32)));
    if (n.badge) g.appendChild(s('text', { x: NODE_W - 8, y: 22, class: 'badge', 'text-anchor': 'end' }, n.badge));
    if (n.errors?.length) {
      const err = s('g', { class: 'error-badge', transform: `translate(${NODE_W - 12},${-8})` });
      err.appendChild(s('circle', { r: 10 }));
      err.appendChild(s('text', { 'text-anchor': 'middle', y: 4 }, String(n.errors.length)));
      g.appendChild(err);
      g.appendChild(s('title', {}, n.errors.join('\n')));
    }
    g.addEventListener('click', () => onSelect(n.id));
    svg.appendChild(g);
  }
  return svg;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
