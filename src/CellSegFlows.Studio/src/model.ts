/** The workflow definition as the studio edits it: plain JSON, the same shape as the files and the API. */

export interface NodeDef {
  id: string;
  activity: string;
  inputs?: Record<string, unknown>;
  map?: { over: string; as?: string };
  queue?: string;
  retry?: unknown;
  timeout?: string;
  cache?: boolean;
  [key: string]: unknown;
}

export interface ParameterDef { type: string; default?: unknown; description?: string }

export interface WorkflowDef {
  id: string;
  version?: number;
  description?: string;
  parameters?: Record<string, ParameterDef>;
  nodes: NodeDef[];
  outputs?: Record<string, string>;
  /** Where the designer draws each node (top-left corner by node id); the engine keeps it and never acts on it. */
  layout?: { nodes?: Record<string, { x: number; y: number }> };
  [key: string]: unknown;
}

export interface Edge { from: string; to: string; label: string }

const nodeRef = /\$\{nodes\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}/g;

/** Edges from every `${nodes.X.out}` reference in a node's inputs and map.over. */
export function edgesOf(def: WorkflowDef): Edge[] {
  const ids = new Set(def.nodes.map((n) => n.id));
  const edges: Edge[] = [];
  for (const node of def.nodes) {
    const texts: [string, string][] = [];
    for (const [name, value] of Object.entries(node.inputs ?? {})) collectStrings(value, name, texts);
    if (node.map?.over) texts.push(['map', node.map.over]);
    for (const [port, text] of texts) {
      for (const m of text.matchAll(nodeRef)) {
        if (!ids.has(m[1])) continue;
        const label = `${m[2]} → ${port}`;
        const same = edges.find((e) => e.from === m[1] && e.to === node.id);
        if (!same) edges.push({ from: m[1], to: node.id, label });
        else if (!same.label.split(', ').includes(label)) same.label += `, ${label}`;
      }
    }
  }
  return edges;
}

function collectStrings(value: unknown, port: string, out: [string, string][]): void {
  if (typeof value === 'string') out.push([port, value]);
  else if (Array.isArray(value)) value.forEach((v) => collectStrings(v, port, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => collectStrings(v, port, out));
}

/** Parses definition text (comments and trailing commas are not kept: the studio writes plain JSON). */
export function parseDefinition(text: string): WorkflowDef {
  const def = JSON.parse(text) as WorkflowDef;
  if (!def || typeof def !== 'object' || !Array.isArray(def.nodes)) throw new Error('a workflow needs a "nodes" list');
  return def;
}

export function writeDefinition(def: WorkflowDef): string {
  return JSON.stringify(def, null, 2);
}

/** A node id not used yet, from an activity name. */
export function freshId(def: WorkflowDef, activity: string): string {
  const base = activity.replace(/[^A-Za-z0-9]/g, '').replace(/^./, (c) => c.toLowerCase()) || 'node';
  let i = 1;
  while (def.nodes.some((n) => n.id === `${base}${i}`)) i++;
  return `${base}${i}`;
}
