/**
 * A fixed-capacity ring of numbers (Float64Array): pushing never allocates, the oldest value
 * falls out. High-rate samples live here, outside React state; charts copy it out once a frame.
 */
export class RingBuffer {
  private readonly data: Float64Array;
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be a positive integer');
    this.data = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    const end = (this.start + this.count) % this.capacity;
    this.data[end] = value;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** i-th oldest value (0 = oldest). */
  at(i: number): number | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.data[(this.start + i) % this.capacity];
  }

  last(): number | undefined {
    return this.at(this.count - 1);
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
  }

  /** Oldest first; a NaN pushed for "no value" comes out as null (uPlot's gap; NaN would break its scales). */
  toArray(): (number | null)[] {
    const out = new Array<number | null>(this.count);
    for (let i = 0; i < this.count; i++) {
      const v = this.data[(this.start + i) % this.capacity]!;
      out[i] = Number.isNaN(v) ? null : v;
    }
    return out;
  }
}
