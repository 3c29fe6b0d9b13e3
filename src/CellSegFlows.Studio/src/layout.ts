/**
 * A layered layout for a DAG: each node's layer is its longest path from a root; an edge that spans several
 * layers gets a waypoint in each layer between (so it runs beside the boxes, not through them); within a
 * layer, nodes and waypoints are ordered by the mean position of their parents (a few sweeps).
 */
export interface Placed { id: string; x: number; y: number; layer: number }

export const NODE_W = 210;
export const NODE_H = 56;
const GAP_X = 40;
const GAP_Y = 60;
const DUMMY_W = 16;

export interface Layout {
  nodes: Map<string, Placed>;
  /** Per edge (`from->to`), the points it passes between the two boxes. */
  waypoints: Map<string, { x: number; y: number }[]>;
  width: number;
  height: number;
}

export function layout(ids: string[], edges: { from: string; to: string }[]): Layout {
  const parents = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) parents.get(e.to)?.push(e.from);
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    if (layer.has(id)) return layer.get(id)!;
    if (visiting.has(id)) return 0; // a cycle: the validator reports it; lay it out anyway
    visiting.add(id);
    const ps = parents.get(id) ?? [];
    const d = ps.length === 0 ? 0 : Math.max(...ps.map(depth)) + 1;
    visiting.delete(id);
    layer.set(id, d);
    return d;
  };
  ids.forEach(depth);

  // Long edges become chains through dummy nodes, one per layer crossed.
  const chains = new Map<string, string[]>();
  const dummies = new Set<string>();
  const orderParents = new Map<string, string[]>(ids.map((id) => [id, [] as string[]]));
  for (const e of edges) {
    const a = layer.get(e.from), b = layer.get(e.to);
    if (a === undefined || b === undefined) continue;
    let previous = e.from;
    const chain: string[] = [];
    for (let l = a + 1; l < b; l++) {
      const dummy = `\u0000${e.from}->${e.to}#${l}`;
      dummies.add(dummy);
      layer.set(dummy, l);
      orderParents.set(dummy, [previous]);
      chain.push(dummy);
      previous = dummy;
    }
    orderParents.get(e.to)?.push(previous);
    chains.set(`${e.from}->${e.to}`, chain);
  }

  const layers: string[][] = [];
  for (const id of [...ids, ...dummies]) (layers[layer.get(id)!] ??= []).push(id);
  for (let i = 0; i < layers.length; i++) layers[i] ??= [];
  const order = new Map<string, number>();
  layers.forEach((l) => l.forEach((id, i) => order.set(id, i)));
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let i = 1; i < layers.length; i++) {
      const score = (id: string) => {
        const ps = orderParents.get(id) ?? [];
        return ps.length === 0 ? order.get(id)! : ps.reduce((sum, p) => sum + order.get(p)!, 0) / ps.length;
      };
      layers[i].sort((a, b) => score(a) - score(b));
      layers[i].forEach((id, k) => order.set(id, k));
    }
  }

  const widthOf = (id: string) => (dummies.has(id) ? DUMMY_W : NODE_W);
  const rowWidth = (l: string[]) => l.reduce((w, id) => w + widthOf(id) + GAP_X, -GAP_X);
  const width = Math.max(NODE_W, ...layers.map(rowWidth)) + 2 * GAP_X;
  const placed = new Map<string, Placed>();
  layers.forEach((l, li) => {
    let x = (width - rowWidth(l)) / 2;
    for (const id of l) {
      placed.set(id, { id, layer: li, x, y: GAP_Y / 2 + li * (NODE_H + GAP_Y) });
      x += widthOf(id) + GAP_X;
    }
  });

  const nodes = new Map<string, Placed>();
  for (const id of ids) nodes.set(id, placed.get(id)!);
  const waypoints = new Map<string, { x: number; y: number }[]>();
  for (const [key, chain] of chains) {
    waypoints.set(key, chain.map((d) => {
      const p = placed.get(d)!;
      return { x: p.x + DUMMY_W / 2, y: p.y + NODE_H / 2 };
    }));
  }
  return { nodes, waypoints, width, height: layers.length * (NODE_H + GAP_Y) + GAP_Y / 2 };
}
