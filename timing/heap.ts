/**
 * A binary min-heap whose items remember their position, so any item can be
 * removed in O(log n). The shared scheduler keeps its deadlines, and the
 * simulator its eviction order, in such heaps.
 *
 * @module
 */

/**
 * An item that can sit in one {@linkcode IndexedHeap}.
 *
 * @example
 * ```ts
 * import type { HeapItem } from "./heap.ts";
 *
 * const item: HeapItem & { key: number } = { key: 3, heapIndex: -1 };
 * ```
 */
export interface HeapItem {
  /** Position in the heap, or -1 when the item is in no heap. */
  heapIndex: number;
}

/**
 * A min-heap ordered by a numeric key.
 *
 * @example Pop in key order and remove from the middle
 * ```ts
 * import { IndexedHeap } from "./heap.ts";
 * import assert from "node:assert/strict";
 *
 * const heap = new IndexedHeap<{ key: number; heapIndex: number }>((x) => x.key);
 * const items = [5, 1, 3].map((key) => ({ key, heapIndex: -1 }));
 * for (const item of items) heap.push(item);
 * heap.remove(items[1]!);
 * assert.equal(heap.pop()?.key, 3);
 * assert.equal(heap.pop()?.key, 5);
 * assert.equal(heap.size, 0);
 * ```
 *
 * @typeParam T The item type.
 */
export class IndexedHeap<T extends HeapItem> {
  #items: T[] = [];
  #key: (item: T) => number;

  /**
   * Creates an empty heap.
   *
   * @param key Returns the number an item is ordered by; smallest first.
   */
  constructor(key: (item: T) => number) {
    this.#key = key;
  }

  /** How many items the heap holds. */
  get size(): number {
    return this.#items.length;
  }

  /**
   * The item with the smallest key, left in place.
   *
   * @returns The item, or `undefined` when the heap is empty.
   */
  peek(): T | undefined {
    return this.#items[0];
  }

  /**
   * Adds an item that is in no heap.
   *
   * @param item The item.
   */
  push(item: T): void {
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    this.#up(item.heapIndex);
  }

  /**
   * Removes and returns the item with the smallest key.
   *
   * @returns The item, or `undefined` when the heap is empty.
   */
  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /**
   * Removes an item; does nothing when it is not in this heap.
   *
   * @param item The item.
   */
  remove(item: T): void {
    const index = item.heapIndex;
    if (index < 0 || this.#items[index] !== item) return;
    const last = this.#items.pop()!;
    item.heapIndex = -1;
    if (last === item) return;
    this.#items[index] = last;
    last.heapIndex = index;
    this.#up(index);
    this.#down(last.heapIndex);
  }

  /** Removes every item. */
  clear(): void {
    for (const item of this.#items) item.heapIndex = -1;
    this.#items = [];
  }

  #up(index: number): void {
    const items = this.#items;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.#key(items[parent]!) <= this.#key(items[index]!)) break;
      this.#swap(index, parent);
      index = parent;
    }
  }

  #down(index: number): void {
    const items = this.#items;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (
        left < items.length &&
        this.#key(items[left]!) < this.#key(items[smallest]!)
      ) smallest = left;
      if (
        right < items.length &&
        this.#key(items[right]!) < this.#key(items[smallest]!)
      ) smallest = right;
      if (smallest === index) return;
      this.#swap(index, smallest);
      index = smallest;
    }
  }

  #swap(a: number, b: number): void {
    const items = this.#items;
    const itemA = items[a]!;
    const itemB = items[b]!;
    items[a] = itemB;
    items[b] = itemA;
    itemA.heapIndex = b;
    itemB.heapIndex = a;
  }
}
