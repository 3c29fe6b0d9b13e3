/**
 * Undo and redo over the definition's text: every change (canvas, forms or JSON) is one entry, so undo works the
 * same whatever made the change. Changes that arrive within `mergeMs` of each other with the same key (typing in
 * one field, one drag) are one entry. Bounded: the oldest entries go first.
 */
export class TextHistory {
  private past: string[] = [];
  private future: string[] = [];
  private lastKey: string | null = null;
  private lastAt = 0;

  constructor(private current: string, private readonly limit = 200, private readonly mergeMs = 800) {}

  /** Records that the text became `next`; `key` names the kind of edit, for merging. */
  record(next: string, key: string | null = null): void {
    if (next === this.current) return;
    const now = Date.now();
    const merge = key !== null && key === this.lastKey && now - this.lastAt < this.mergeMs && this.past.length > 0;
    if (!merge) {
      this.past.push(this.current);
      if (this.past.length > this.limit) this.past.shift();
    }
    this.current = next;
    this.future = [];
    this.lastKey = key;
    this.lastAt = now;
  }

  get canUndo(): boolean { return this.past.length > 0; }
  get canRedo(): boolean { return this.future.length > 0; }

  undo(): string | null {
    const previous = this.past.pop();
    if (previous === undefined) return null;
    this.future.push(this.current);
    this.current = previous;
    this.lastKey = null;
    return previous;
  }

  redo(): string | null {
    const next = this.future.pop();
    if (next === undefined) return null;
    this.past.push(this.current);
    this.current = next;
    this.lastKey = null;
    return next;
  }
}
