/** A node of {@link SequenceTrie}: the sequence of tokens on the path from the root. */
interface TrieNode<V> {
  readonly children: Map<number, TrieNode<V>>;
  /** The value of the sequence ending here, if one was added. */
  value: V | undefined;
  /** Values held at this node and below: every node but the root holds at least one. */
  held: number;
}

function emptyNode<V>(): TrieNode<V> {
  return { children: new Map(), value: undefined, held: 0 };
}

/**
 * Token sequences with a value each, indexed by their tokens: which stored sequence continues a
 * given prefix, and which stored sequences a given sequence continues, in steps of the query's
 * length, whatever the number stored. (Scanning every stored sequence made the prefix cache's
 * lookups and stores grow with the batch, quadratic in its rows.)
 */
export class SequenceTrie<V> {
  private readonly root: TrieNode<V> = emptyNode();

  /** Add `tokens` with `value` (replacing the value of an equal sequence). */
  set(tokens: Int32Array, value: V): void {
    const path = [this.root];
    let node = this.root;
    for (const token of tokens) {
      let child = node.children.get(token);
      if (child === undefined) {
        child = emptyNode();
        node.children.set(token, child);
      }
      node = child;
      path.push(node);
    }
    if (node.value === undefined) for (const visited of path) visited.held++;
    node.value = value;
  }

  /** Remove `tokens` (nothing when it is not stored). */
  delete(tokens: Int32Array): void {
    const path = this.path(tokens);
    const node = path[tokens.length];
    if (node === undefined || node.value === undefined) return;
    node.value = undefined;
    for (let depth = tokens.length; depth >= 0; depth--) {
      const visited = path[depth]!;
      visited.held--;
      if (depth > 0 && visited.held === 0) path[depth - 1]!.children.delete(tokens[depth - 1]!);
    }
  }

  /** The value of a stored sequence that starts with `prefix` (equal included), or undefined. */
  continuing(prefix: Int32Array): V | undefined {
    let node = this.path(prefix)[prefix.length];
    if (node === undefined || node.held === 0) return undefined;
    // Every node below holds a value somewhere: follow any child until one ends.
    while (node.value === undefined) node = node.children.values().next().value as TrieNode<V>;
    return node.value;
  }

  /** The values of the stored sequences that `tokens` starts with (equal included), shortest first. */
  startsOf(tokens: Int32Array): V[] {
    const values: V[] = [];
    for (const node of this.path(tokens)) if (node.value !== undefined) values.push(node.value);
    return values;
  }

  /** Remove everything. */
  clear(): void {
    this.root.children.clear();
    this.root.held = 0;
  }

  /** The nodes from the root along `tokens`, as far as they exist. */
  private path(tokens: Int32Array): TrieNode<V>[] {
    const path = [this.root];
    let node: TrieNode<V> | undefined = this.root;
    for (const token of tokens) {
      node = node.children.get(token);
      if (node === undefined) break;
      path.push(node);
    }
    return path;
  }
}
