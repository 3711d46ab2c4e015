/**
 * Inline trees measured and cut by the text they render (what the DOM's text nodes hold), so a
 * streamed paragraph can be cut where the browser wrapped a line (see LiveParagraph). Pure.
 */
import type { Inline } from './parse';

/** Characters of DOM text a node renders: a line break renders none, a citation "[n]". */
export function renderedLength(nodes: readonly Inline[]): number {
  let n = 0;
  for (const node of nodes) n += nodeLength(node);
  return n;
}

function nodeLength(node: Inline): number {
  switch (node.type) {
    case 'text':
    case 'code':
      return node.text.length;
    case 'br':
      return 0;
    case 'cite':
      return String(node.n).length + 2;
    default:
      return renderedLength(node.children);
  }
}

/**
 * Cuts top-level nodes at rendered offsets (ascending, each > 0). A cut lands between two nodes
 * (a line break there stays with the part before it: it ends that line) or inside a text node;
 * one that would fall inside anything else (a link, emphasis, code) stops the cutting there:
 * `parts` has one entry per offset that could be cut, `rest` is what follows the last cut.
 */
export function splitAt(nodes: readonly Inline[], offsets: readonly number[]): { parts: Inline[][]; rest: Inline[] } {
  const parts: Inline[][] = [];
  let current: Inline[] = [];
  let pos = 0;
  let next = 0;
  let k = 0;
  let pending: Inline | null = null;
  while (k < nodes.length || pending) {
    const node: Inline = pending ?? nodes[k++]!;
    pending = null;
    const len = nodeLength(node);
    const target = offsets[next];
    if (target !== undefined && target === pos && len > 0) {
      parts.push(current);
      current = [];
      next++;
      pending = node;
      continue;
    }
    if (target === undefined || target >= pos + len) {
      current.push(node);
      pos += len;
      continue;
    }
    if (node.type !== 'text' || target < pos) {
      // Inside something that cannot be cut: everything from here on is the rest.
      current.push(node);
      while (k < nodes.length) current.push(nodes[k++]!);
      return { parts, rest: current };
    }
    current.push({ type: 'text', text: node.text.slice(0, target - pos) });
    parts.push(current);
    current = [];
    next++;
    pending = { type: 'text', text: node.text.slice(target - pos) };
    pos = target;
  }
  if (offsets[next] === pos && pos > 0) {
    parts.push(current);
    current = [];
  }
  return { parts, rest: current };
}

/** Structural equality of two inline trees (identical nodes are not walked). */
export function sameInlines(a: readonly Inline[], b: readonly Inline[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameNode(a[i]!, b[i]!)) return false;
  return true;
}

function sameNode(a: Inline, b: Inline): boolean {
  if (a === b) return true;
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'text':
    case 'code':
      return a.text === (b as typeof a).text;
    case 'br':
      return true;
    case 'cite':
      return a.n === (b as typeof a).n;
    case 'link':
      return a.href === (b as typeof a).href && sameInlines(a.children, (b as typeof a).children);
    default:
      return sameInlines(a.children, (b as typeof a).children);
  }
}
