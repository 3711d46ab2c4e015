/**
 * Bounding-box checks of a drawn page: nothing sticks out of the window sideways, no text is cut
 * off inside a control, and no two controls or labels overlap. Scrollable regions (a code block, a
 * wide table) may hold wider content; what they hold is checked against them, not the window.
 * A sticky or fixed bar (the settings' save bar) may cover content scrolled under it.
 */
import type { Page } from '@playwright/test';

/** The elements whose boxes must not collide: controls, labels, headings, badges, stats. */
const ITEM_SELECTOR = [
  'button',
  'a[href]',
  'input:not([type="hidden"])',
  'select',
  'textarea',
  'h1',
  'h2',
  'h3',
  'label > span:not(.visually-hidden)',
  '.badge',
  '.stat',
  '.chip',
  '.muted',
  '.u-legend .u-series',
  'progress',
  'meter',
].join(', ');

export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate((itemSelector) => {
    const problems: string[] = [];
    const vw = document.documentElement.clientWidth;
    const describe = (el: Element) => {
      const id = el.getAttribute('data-testid');
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return `${el.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}${text ? ` "${text}"` : ''}`;
    };
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) return false;
      const cs = getComputedStyle(el);
      return cs.visibility !== 'hidden' && cs.display !== 'none' && Number(cs.opacity) > 0.01 && !el.closest('[hidden], .visually-hidden');
    };
    /** The nearest ancestor that scrolls or clips sideways, or null for the window. */
    const clipper = (el: Element): Element | null => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return p;
      }
      return null;
    };

    /** The nearest sticky or fixed box around an element: content scrolls under it on purpose. */
    const pinned = (el: Element): Element | null => {
      for (let p: Element | null = el; p && p !== document.body; p = p.parentElement) {
        const pos = getComputedStyle(p).position;
        if (pos === 'sticky' || pos === 'fixed') return p;
      }
      return null;
    };

    if (document.documentElement.scrollWidth > vw + 1) problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px content in a ${vw}px window`);

    const items = [...document.querySelectorAll(itemSelector)].filter(visible);
    for (const el of items) {
      const r = el.getBoundingClientRect();
      const clip = clipper(el);
      const bounds = clip ? clip.getBoundingClientRect() : { left: 0, right: vw };
      // Inside a region that scrolls, content may extend past it (that is what scrolling is for).
      const scrolls = clip && ['auto', 'scroll'].includes(getComputedStyle(clip).overflowX);
      if (!scrolls && (r.left < bounds.left - 1 || r.right > bounds.right + 1)) {
        problems.push(`${describe(el)} sticks out of ${clip ? describe(clip) : 'the window'} (${Math.round(r.left)}..${Math.round(r.right)} in ${Math.round(bounds.left)}..${Math.round(bounds.right)})`);
      }
      // Text cut off inside a control (an ellipsis on purpose is fine).
      const cs = getComputedStyle(el);
      const tag = el.tagName.toLowerCase();
      if (!['input', 'textarea', 'select', 'progress', 'meter'].includes(tag) && cs.overflowX !== 'visible' && cs.textOverflow !== 'ellipsis' && el.scrollWidth > el.clientWidth + 1) {
        problems.push(`${describe(el)} cuts its text (${el.scrollWidth}px in ${el.clientWidth}px)`);
      }
    }

    // Overlaps between items that are not inside one another.
    for (let i = 0; i < items.length; i++) {
      const a = items[i]!;
      const ra = a.getBoundingClientRect();
      for (let j = i + 1; j < items.length; j++) {
        const b = items[j]!;
        if (a.contains(b) || b.contains(a)) continue;
        const rb = b.getBoundingClientRect();
        const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
        const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
        if (w > 2 && h > 2) {
          if (pinned(a) !== pinned(b)) continue;
          // Two items in different scroll regions can only overlap where one is scrolled out of view.
          if (clipper(a) !== clipper(b)) {
            const ca = clipper(a)?.getBoundingClientRect();
            const cb = clipper(b)?.getBoundingClientRect();
            const inside = (r: DOMRect, c?: DOMRect) => !c || (r.top >= c.top - 1 && r.bottom <= c.bottom + 1);
            if (!inside(ra, ca) || !inside(rb, cb)) continue;
          }
          problems.push(`${describe(a)} overlaps ${describe(b)} (${Math.round(w)}x${Math.round(h)}px)`);
        }
      }
    }
    return problems;
  }, ITEM_SELECTOR);
}
