/**
 * Heap snapshots of the page (CDP HeapProfiler) and their diff: which objects exist in the last
 * snapshot and not in the first (V8 keeps a node's id stable across snapshots of one session),
 * grouped by kind and constructor, with the shortest retaining path of a few of them from the GC
 * roots. Used by ui-profile.ts to find what a run of answers leaves behind. (Chromium 156 does not
 * flag detached DOM nodes in these snapshots; retaining paths show them instead.)
 */
import type { CDPSession } from 'playwright-core';

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapSnapshot {
  count: number;
  type(i: number): string;
  name(i: number): string;
  id(i: number): number;
  selfSize(i: number): number;
  detached(i: number): boolean;
  /** Outgoing edges of node i: [edge type, edge name, target node index]. */
  edges(i: number): [string, string, number][];
}

export async function takeHeapSnapshot(cdp: CDPSession): Promise<HeapSnapshot> {
  const chunks: string[] = [];
  const onChunk = (e: { chunk: string }) => void chunks.push(e.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false } as never);
  cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  return readSnapshot(JSON.parse(chunks.join('')) as RawSnapshot);
}

export function readSnapshot(raw: RawSnapshot): HeapSnapshot {
  const { node_fields: nf, node_types: nt, edge_fields: ef, edge_types: et } = raw.snapshot.meta;
  const N = nf.length;
  const E = ef.length;
  const fType = nf.indexOf('type');
  const fName = nf.indexOf('name');
  const fId = nf.indexOf('id');
  const fSize = nf.indexOf('self_size');
  const fEdges = nf.indexOf('edge_count');
  const fDetached = nf.indexOf('detachedness');
  const eType = ef.indexOf('type');
  const eName = ef.indexOf('name_or_index');
  const eTo = ef.indexOf('to_node');
  const count = raw.nodes.length / N;
  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0; i < count; i++) firstEdge[i + 1] = firstEdge[i]! + raw.nodes[i * N + fEdges]!;
  const nodeTypes = nt[0];
  const edgeTypes = et[0];
  return {
    count,
    type: (i) => nodeTypes[raw.nodes[i * N + fType]!]!,
    name: (i) => raw.strings[raw.nodes[i * N + fName]!]!,
    id: (i) => raw.nodes[i * N + fId]!,
    selfSize: (i) => raw.nodes[i * N + fSize]!,
    detached: (i) => fDetached >= 0 && raw.nodes[i * N + fDetached] === 2,
    edges(i) {
      const out: [string, string, number][] = [];
      for (let k = firstEdge[i]!; k < firstEdge[i + 1]!; k++) {
        const type = edgeTypes[raw.edges[k * E + eType]!]!;
        const nameOrIndex = raw.edges[k * E + eName]!;
        const name = type === 'element' || type === 'hidden' ? String(nameOrIndex) : raw.strings[nameOrIndex]!;
        out.push([type, name, raw.edges[k * E + eTo]! / N]);
      }
      return out;
    },
  };
}

/** Kind and constructor (strings and code are lumped together: their names are their contents). */
export function groupOf(s: HeapSnapshot, i: number): string {
  const type = s.type(i);
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') return 'string';
  if (type === 'hidden' || type === 'array' || type === 'number') return `(${type})`;
  // Code objects are named by kind ("system / BytecodeArray", a function's name): the kind is enough.
  if (type === 'code') return `(code) ${s.name(i).startsWith('system / ') ? s.name(i).slice(9, 60) : 'function'}`;
  const name = s.name(i);
  return `${type}:${name.length > 60 ? `${name.slice(0, 57)}...` : name}`;
}

export interface Group {
  group: string;
  count: number;
  bytes: number;
}

export function summary(s: HeapSnapshot): { total: number; groups: Map<string, Group> } {
  const groups = new Map<string, Group>();
  let total = 0;
  for (let i = 0; i < s.count; i++) {
    const g = groupOf(s, i);
    const entry = groups.get(g) ?? { group: g, count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += s.selfSize(i);
    groups.set(g, entry);
    total += s.selfSize(i);
  }
  return { total, groups };
}

/** Objects of the second snapshot whose id the first did not have, grouped; biggest groups first. */
export function newObjects(before: HeapSnapshot, after: HeapSnapshot): { groups: Group[]; indexes: Map<string, number[]> } {
  const ids = new Set<number>();
  for (let i = 0; i < before.count; i++) ids.add(before.id(i));
  const groups = new Map<string, Group>();
  const indexes = new Map<string, number[]>();
  for (let i = 0; i < after.count; i++) {
    if (ids.has(after.id(i))) continue;
    const g = groupOf(after, i);
    const entry = groups.get(g) ?? { group: g, count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += after.selfSize(i);
    groups.set(g, entry);
    const list = indexes.get(g) ?? [];
    list.push(i);
    indexes.set(g, list);
  }
  return { groups: [...groups.values()].sort((a, b) => b.bytes - a.bytes), indexes };
}

/**
 * Shortest strong path from the snapshot root (node 0) to each target (weak edges do not retain).
 * One BFS for all targets; returns a path of "edge -> node" labels per target found.
 */
export function retainingPaths(s: HeapSnapshot, targets: number[]): Map<number, string[]> {
  const wanted = new Set(targets);
  const parent = new Int32Array(s.count).fill(-1);
  const via = new Array<string>(s.count);
  parent[0] = 0;
  const queue = [0];
  const found = new Map<number, string[]>();
  for (let q = 0; q < queue.length && found.size < wanted.size; q++) {
    const i = queue[q]!;
    for (const [type, name, to] of s.edges(i)) {
      if (type === 'weak' || type === 'shortcut' || parent[to] !== -1) continue;
      parent[to] = i;
      via[to] = `${type === 'element' ? `[${name}]` : `.${name}`}`;
      queue.push(to);
      if (wanted.has(to)) {
        const path: string[] = [];
        let k = to;
        while (k !== 0 && path.length < 40) {
          path.unshift(`${via[k]} -> ${groupOf(s, k)}${s.detached(k) ? ' (detached)' : ''}`);
          k = parent[k]!;
        }
        found.set(to, path);
      }
    }
  }
  return found;
}
