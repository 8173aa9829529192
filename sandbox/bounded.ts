/**
 * A Map that forgets its oldest entries past a limit, so a sandbox left running for days under a test
 * loop keeps a constant footprint. Insertion order is the age: `set` on an existing key keeps its place.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(
    readonly limit: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {
    super();
  }

  override set(key: K, value: V): this {
    super.set(key, value);
    while (this.size > this.limit) {
      const oldest = this.keys().next().value as K;
      const evicted = this.get(oldest) as V;
      this.delete(oldest);
      this.onEvict?.(oldest, evicted);
    }
    return this;
  }
}

/** A log that keeps the newest `limit` items and counts every item ever pushed. */
export class RingLog<T> {
  private items: T[] = [];
  total = 0;

  constructor(readonly limit: number) {}

  push(item: T): void {
    this.total++;
    this.items.push(item);
    if (this.items.length > this.limit) this.items.splice(0, this.items.length - this.limit);
  }

  list(): T[] {
    return [...this.items];
  }

  clear(): void {
    this.items = [];
    this.total = 0;
  }
}
