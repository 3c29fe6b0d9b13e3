import type { ActivityInfo } from './api';
import type { NodeDef, WorkflowDef } from './model';

/**
 * The type rules of a connection, the same as the engine's validator (`DataType.Accepts`): an input takes a value of its
 * own type, an int where it wants a number, anything when it is `json`, and a list whose elements it takes; a mapped
 * node's output is a list of the output's type (its elements' results joined in order).
 */
export function accepts(target: string, source: string): boolean {
  if (target === 'json' || target === source) return true;
  if (target === 'number' && source === 'int') return true;
  const t = elementOf(target), s = elementOf(source);
  return t !== null && s !== null && accepts(t, s);
}

export function elementOf(type: string): string | null {
  const m = /^list<(.+)>$/.exec(type);
  return m ? m[1] : null;
}

/** The type of `${nodes.N.O}`: O's type, or list of it when N is mapped. */
export function outputType(node: NodeDef, activity: ActivityInfo | undefined, output: string): string | null {
  const port = activity?.outputs.find((o) => o.name === output);
  if (!port) return null;
  return node.map ? `list<${port.type}>` : port.type;
}

/** The pseudo input that a node's `map.over` is drawn to. */
export const MAP_PORT = '@map';

export type Connection = { from: string; out: string; to: string; input: string };

/** How a connection would bind: `set` replaces the input with the reference, `append` adds it to a list of references. */
export type Binding = { ok: true; mode: 'set' | 'append' } | { ok: false; why: string };

/** Whether an output may feed an input, and how; refuses wrong types, unknown ports and cycles. */
export function bindingOf(def: WorkflowDef, activities: Map<string, ActivityInfo>, c: Connection): Binding {
  const from = def.nodes.find((n) => n.id === c.from), to = def.nodes.find((n) => n.id === c.to);
  if (!from || !to) return { ok: false, why: 'no such node' };
  if (from.id === to.id) return { ok: false, why: 'a node cannot feed itself' };
  const source = outputType(from, activities.get(from.activity), c.out);
  if (!source) return { ok: false, why: `${from.activity} has no output '${c.out}'` };
  if (reaches(def, to.id, from.id)) return { ok: false, why: `${to.id} already runs before ${from.id}: this would make a cycle` };
  if (c.input === MAP_PORT) return elementOf(source) ? { ok: true, mode: 'set' } : { ok: false, why: `map.over needs a list, ${c.from}.${c.out} is ${source}` };
  const target = activities.get(to.activity)?.inputs.find((p) => p.name === c.input)?.type;
  if (!target) return { ok: false, why: `${to.activity} has no input '${c.input}'` };
  if (accepts(target, source)) return { ok: true, mode: 'set' };
  const element = elementOf(target);
  if (element && accepts(element, source)) return { ok: true, mode: 'append' };
  return { ok: false, why: `${c.to}.${c.input} is ${target}, ${c.from}.${c.out} is ${source}` };
}

/** Whether `start` feeds `goal`, directly or through other nodes. */
export function reaches(def: WorkflowDef, start: string, goal: string): boolean {
  const children = new Map<string, Set<string>>();
  for (const n of def.nodes) {
    for (const ref of referencesOf(n)) {
      if (!children.has(ref.node)) children.set(ref.node, new Set());
      children.get(ref.node)!.add(n.id);
    }
  }
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === goal) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return false;
}

const nodeRef = /\$\{nodes\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}/g;

/** Every `${nodes.X.O}` a node reads, with the input (or {@link MAP_PORT}) that holds it. */
export function referencesOf(node: NodeDef): { node: string; output: string; input: string }[] {
  const found: { node: string; output: string; input: string }[] = [];
  const walk = (value: unknown, input: string) => {
    if (typeof value === 'string') for (const m of value.matchAll(nodeRef)) found.push({ node: m[1], output: m[2], input });
    else if (Array.isArray(value)) value.forEach((v) => walk(v, input));
    else if (value && typeof value === 'object') Object.values(value).forEach((v) => walk(v, input));
  };
  for (const [name, value] of Object.entries(node.inputs ?? {})) walk(value, name);
  if (node.map?.over) walk(node.map.over, MAP_PORT);
  return found;
}

/** Binds an output to an input as {@link bindingOf} said (the caller checked it). */
export function connect(node: NodeDef, input: string, reference: string, mode: 'set' | 'append'): void {
  if (input === MAP_PORT) {
    node.map = { ...(node.map ?? { as: 'item' }), over: reference };
    return;
  }
  node.inputs ??= {};
  const current = node.inputs[input];
  if (mode === 'append') {
    const list = Array.isArray(current) ? current.filter((v) => v !== reference) : typeof current === 'string' && current.startsWith('${') ? [current] : [];
    node.inputs[input] = [...list, reference];
  } else {
    node.inputs[input] = reference;
  }
}

/**
 * Removes what a connection put there: the reference where it is the whole value, the element of a list, or the field
 * of an object (a text that embeds it goes with it); an input left empty is removed, so its default applies.
 */
export function disconnect(node: NodeDef, input: string, from: string, output: string): void {
  const holds = (s: string) => [...s.matchAll(nodeRef)].some((m) => m[1] === from && m[2] === output);
  const strip = (value: unknown): unknown => {
    if (typeof value === 'string') return holds(value) ? undefined : value;
    if (Array.isArray(value)) {
      const kept = value.map(strip).filter((v) => v !== undefined);
      return kept.length ? kept : undefined;
    }
    if (value && typeof value === 'object') {
      const kept = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)] as const).filter(([, v]) => v !== undefined));
      return Object.keys(kept).length ? kept : undefined;
    }
    return value;
  };
  if (input === MAP_PORT) {
    if (node.map && holds(node.map.over)) node.map.over = '';
    return;
  }
  if (!node.inputs || !(input in node.inputs)) return;
  const next = strip(node.inputs[input]);
  if (next === undefined) delete node.inputs[input];
  else node.inputs[input] = next;
}

/** Inputs drawn as ports: data (artifacts, lists, json) and whatever is connected to a node; every input when `all`. */
export function shownInputs(node: NodeDef, activity: ActivityInfo | undefined, all: boolean): { name: string; type: string; required: boolean }[] {
  const connected = new Set(referencesOf(node).map((r) => r.input));
  const scalar = new Set(['int', 'number', 'bool', 'string']);
  const ports = (activity?.inputs ?? [])
    .filter((p) => all || !scalar.has(p.type) || connected.has(p.name))
    .map((p) => ({ name: p.name, type: p.type, required: !!p.required }));
  if (node.map) ports.unshift({ name: MAP_PORT, type: 'list<json>', required: true });
  return ports;
}
