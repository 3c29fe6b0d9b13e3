/**
 * A layered layout for a DAG: each node's layer is its longest path from a root; within a layer, nodes are
 * ordered by the mean position of their parents (a few sweeps), so edges mostly run straight down.
 */
export interface Placed { id: string; x: number; y: number; layer: number }

export const NODE_W = 210;
export const NODE_H = 56;
const GAP_X = 40;
const GAP_Y = 60;

export function layout(ids: string[], edges: { from: string; to: string }[]): { nodes: Map<string, Placed>; width: number; height: number } {
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

  const layers: string[][] = [];
  for (const id of ids) (layers[layer.get(id)!] ??= []).push(id);
  const order = new Map<string, number>();
  layers.forEach((l) => l.forEach((id, i) => order.set(id, i)));
  for (let sweep = 0; sweep < 3; sweep++) {
    for (let i = 1; i < layers.length; i++) {
      const score = (id: string) => {
        const ps = parents.get(id) ?? [];
        return ps.length === 0 ? order.get(id)! : ps.reduce((sum, p) => sum + order.get(p)!, 0) / ps.length;
      };
      layers[i].sort((a, b) => score(a) - score(b));
      layers[i].forEach((id, k) => order.set(id, k));
    }
  }

  const widest = Math.max(1, ...layers.map((l) => l.length));
  const width = widest * (NODE_W + GAP_X) + GAP_X;
  const nodes = new Map<string, Placed>();
  layers.forEach((l, li) => {
    const rowWidth = l.length * (NODE_W + GAP_X) - GAP_X;
    const start = (width - rowWidth) / 2;
    l.forEach((id, k) => nodes.set(id, { id, layer: li, x: start + k * (NODE_W + GAP_X), y: GAP_Y / 2 + li * (NODE_H + GAP_Y) }));
  });
  return { nodes, width, height: layers.length * (NODE_H + GAP_Y) + GAP_Y / 2 };
}
