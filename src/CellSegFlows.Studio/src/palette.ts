import type { ActivityInfo } from './api';
import { appendAll, clear, h } from './dom';

/**
 * The designer's palette: activities grouped by category, filtered by a search over name, category and description.
 * Dragging an entry onto the canvas adds a node there (`drag`); Enter or a double-click adds it in the middle of the
 * view (`add`), so the palette also works from the keyboard.
 */
export function palette(activities: ActivityInfo[], drag: (a: ActivityInfo, e: MouseEvent) => void, add: (a: ActivityInfo) => void): HTMLElement {
  const search = h('input', { type: 'search', placeholder: 'search activities', 'data-testid': 'palette-search', 'aria-label': 'search activities' });
  const list = h('div', { class: 'palette-list', 'data-testid': 'palette' });
  const render = () => {
    clear(list);
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = activities.filter((a) => words.every((w) => `${a.activity} ${a.category} ${a.description}`.toLowerCase().includes(w)));
    const categories = [...new Set(shown.map((a) => a.category))].sort();
    if (shown.length === 0) list.append(h('p', { class: 'muted small' }, 'no activity matches'));
    for (const category of categories) {
      appendAll(list, h('div', { class: 'palette-group' },
        h('h4', {}, category),
        shown.filter((a) => a.category === category).sort((x, y) => x.activity.localeCompare(y.activity)).map((a) => {
          const item = h('div', { class: 'palette-item', tabindex: 0, title: a.description, 'data-activity': a.activity, role: 'button' },
            h('span', { class: 'name' }, a.activity), a.queue === 'gpu' && h('span', { class: 'pill small' }, 'gpu'));
          // The drag starts once the pointer has moved a little, so a click or double-click stays a click.
          item.addEventListener('mousedown', (down) => {
            if (down.button !== 0) return;
            down.preventDefault();
            const move = (e: MouseEvent) => {
              if (Math.hypot(e.clientX - down.clientX, e.clientY - down.clientY) < 4) return;
              stop();
              drag(a, e);
            };
            const stop = () => { document.removeEventListener('mousemove', move); document.removeEventListener('mouseup', stop); };
            document.addEventListener('mousemove', move);
            document.addEventListener('mouseup', stop);
          });
          item.addEventListener('dblclick', () => add(a));
          item.addEventListener('keydown', (e) => { if (e.key === 'Enter') add(a); });
          return item;
        })));
    }
  };
  search.addEventListener('input', render);
  render();
  return h('div', { class: 'palette card' }, h('h3', {}, 'Activities'), search, list);
}
