import assert from "node:assert/strict";
import { IndexedHeap } from "../../timing/heap.ts";
import { seededRandom } from "../../util/random.ts";

interface Item {
  key: number;
  heapIndex: number;
}

Deno.test("IndexedHeap matches a sorted list under random pushes, removals and pops", () => {
  const random = seededRandom(9);
  const heap = new IndexedHeap<Item>((item) => item.key);
  const reference: Item[] = [];
  for (let step = 0; step < 5_000; step++) {
    const choice = random();
    if (choice < 0.5 || reference.length === 0) {
      const item = { key: Math.floor(random() * 100), heapIndex: -1 };
      heap.push(item);
      reference.push(item);
    } else if (choice < 0.75) {
      const item = reference.splice(
        Math.floor(random() * reference.length),
        1,
      )[0]!;
      heap.remove(item);
      assert.equal(item.heapIndex, -1);
      heap.remove(item); // a second removal does nothing
    } else {
      const smallest = Math.min(...reference.map((item) => item.key));
      const popped = heap.pop()!;
      assert.equal(popped.key, smallest);
      reference.splice(reference.indexOf(popped), 1);
    }
    assert.equal(heap.size, reference.length);
  }
});
