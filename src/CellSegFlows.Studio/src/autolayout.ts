import type { ElkNode } from 'elkjs/lib/elk-api';

/** What the layout needs of a node: its box and where its ports sit on it. */
export interface LayoutBox { id: string; width: number; height: number; inputs: { id: string; y: number }[]; outputs: { id: string; y: number }[] }
export interface LayoutLink { id: string; from: string; fromPort: string; to: string; toPort: string }

let elk: { layout(graph: ElkNode): Promise<ElkNode> } | null = null;

/**
 * A layered layout, left to right, with ports fixed where the designer draws them (elkjs, loaded on first use).
 * Returns each node's top-left corner.
 */
export async function layeredLayout(boxes: LayoutBox[], links: LayoutLink[]): Promise<Map<string, { x: number; y: number }>> {
  if (!elk) {
    const { default: Elk } = await import('elkjs/lib/elk.bundled.js');
    elk = new Elk();
  }
  const portIds = new Set<string>();
  const graph: ElkNode = {
    id: '\u0000root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '90',
      'elk.spacing.nodeNode': '36',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
      'elk.padding': '[top=24,left=24,bottom=24,right=24]',
    },
    children: boxes.map((b) => ({
      id: b.id,
      width: b.width,
      height: b.height,
      layoutOptions: { 'elk.portConstraints': 'FIXED_POS' },
      ports: [
        ...b.inputs.map((p) => { portIds.add(`${b.id}\u0000${p.id}`); return { id: `${b.id}\u0000${p.id}`, x: -4, y: p.y - 4, width: 8, height: 8, layoutOptions: { 'elk.port.side': 'WEST' } }; }),
        ...b.outputs.map((p) => { portIds.add(`${b.id}\u0000${p.id}`); return { id: `${b.id}\u0000${p.id}`, x: b.width - 4, y: p.y - 4, width: 8, height: 8, layoutOptions: { 'elk.port.side': 'EAST' } }; }),
      ],
    })),
    edges: links
      .filter((l) => portIds.has(`${l.from}\u0000${l.fromPort}`) && portIds.has(`${l.to}\u0000${l.toPort}`))
      .map((l) => ({ id: l.id, sources: [`${l.from}\u0000${l.fromPort}`], targets: [`${l.to}\u0000${l.toPort}`] })),
  };
  const done = await elk.layout(graph);
  return new Map((done.children ?? []).map((c) => [c.id, { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) }]));
}
