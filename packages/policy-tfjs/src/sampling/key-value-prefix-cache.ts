import type { PrefixCache } from "@ibtpo/tree-sampler";
import { PolicyTfjsError } from "../errors.js";
import type { RowKeyValues } from "../model/key-value-cache.js";
import type { TransformerModel } from "../model/transformer-model.js";
import { SequenceTrie } from "./sequence-trie.js";

/** Bytes a prefix cache holds by default before it forgets the sequences used longest ago. */
export const DEFAULT_PREFIX_CACHE_BYTES = 128 * 1024 * 1024;

interface Entry {
  readonly id: number;
  /** The sequence: prefix and generated tokens; keys and values cover all but its last token. */
  readonly tokens: Int32Array;
  readonly keyValues: RowKeyValues;
}

/**
 * {@link TfjsPolicy}'s prefix cache: the keys and values of every sequence decoded in its scope,
 * kept off the wasm heap (which never shrinks) in plain arrays. A request whose prefix (all but its
 * last token) is the start of a kept sequence starts from those keys and values: the prefix is not
 * encoded again, only its last token goes through the model. Keys and values at a position depend
 * only on the tokens up to it, so any start of a kept sequence is as good as the whole.
 *
 * A sequence kept with a head (the keys and values its row started from) holds only its own
 * positions and shares the head's: a tree's branches hold their common start once. Held bytes
 * count each array once, while any kept sequence uses it. A sequence that another one continues is
 * dropped for the longer one; past `maxBytes` the sequences used longest ago are forgotten. The
 * cache belongs to one model and empties itself when the model's weights change.
 *
 * @example
 * const cache = policy.openPrefixCache();
 * await policy.generate(requests, { prefixCache: cache });
 * cache.dispose();
 */
export class KeyValuePrefixCache implements PrefixCache {
  /** The entries, least recently used first. */
  private readonly entries = new Map<number, Entry>();
  /** The same entries by their tokens. */
  private readonly sequences = new SequenceTrie<Entry>();
  /** Each row's own arrays (a kept sequence's, or a head's) by the kept sequences that use them. */
  private readonly users = new Map<RowKeyValues, number>();
  private nextId = 0;
  private bytes = 0;
  private weightsVersion: number;
  private disposed = false;
  /** Rows looked up, and rows that started from a cached prefix, since the cache was opened. */
  readonly counts = { lookups: 0, hits: 0 };

  constructor(
    readonly model: TransformerModel,
    readonly maxBytes = DEFAULT_PREFIX_CACHE_BYTES,
  ) {
    this.weightsVersion = model.weightsVersion;
  }

  /** Sequences held now. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes of keys and values held now. */
  get heldBytes(): number {
    return this.bytes;
  }

  /** Check the cache can serve `model` now; forget everything if its weights changed since. */
  checkUsableFor(model: TransformerModel, location: string): void {
    if (this.disposed) throw new PolicyTfjsError("the prefix cache was disposed", location);
    if (model !== this.model) throw new PolicyTfjsError("the prefix cache belongs to another model", location);
    if (model.weightsVersion !== this.weightsVersion) {
      this.clear();
      this.weightsVersion = model.weightsVersion;
    }
  }

  /** Keys and values covering `prefix` without its last token, or null when no kept sequence starts with it. */
  lookup(prefix: Int32Array): RowKeyValues | null {
    this.counts.lookups++;
    if (prefix.length < 2) return null;
    const entry = this.sequences.continuing(prefix);
    if (entry === undefined) return null;
    this.counts.hits++;
    this.entries.delete(entry.id);
    this.entries.set(entry.id, entry); // most recently used last
    return entry.keyValues;
  }

  /** Keep a decoded sequence; `keyValues` covers all its tokens but the last. */
  store(tokens: Int32Array, keyValues: RowKeyValues): void {
    if (this.disposed || keyValues.length !== tokens.length - 1 || keyValues.length < 1) return;
    if (this.sequences.continuing(tokens) !== undefined) return;
    for (const entry of this.sequences.startsOf(tokens)) this.remove(entry);
    const rows = rowsOf(keyValues);
    const added = rows.filter((row) => !this.users.has(row));
    if (added.reduce((sum, row) => sum + ownBytes(row), 0) > this.maxBytes) return;
    const entry = { id: this.nextId++, tokens, keyValues };
    this.entries.set(entry.id, entry);
    this.sequences.set(tokens, entry);
    for (const row of rows) this.use(row, +1);
    for (const oldest of this.entries.values()) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(oldest);
    }
  }

  dispose(): void {
    this.clear();
    this.disposed = true;
  }

  private clear(): void {
    this.entries.clear();
    this.sequences.clear();
    this.users.clear();
    this.bytes = 0;
  }

  private remove(entry: Entry): void {
    this.entries.delete(entry.id);
    this.sequences.delete(entry.tokens);
    for (const row of rowsOf(entry.keyValues)) this.use(row, -1);
  }

  /** Count one more or one fewer kept sequence using `row`'s own arrays; their bytes are held while any does. */
  private use(row: RowKeyValues, change: 1 | -1): void {
    const users = (this.users.get(row) ?? 0) + change;
    if (users > 0) this.users.set(row, users);
    else this.users.delete(row);
    if (users === 1 && change === 1) this.bytes += ownBytes(row);
    if (users === 0) this.bytes -= ownBytes(row);
  }
}

/** A row and the heads it starts from, itself first. */
function rowsOf(keyValues: RowKeyValues): RowKeyValues[] {
  const rows = [keyValues];
  for (let row = keyValues.head?.source; row !== undefined; row = row.head?.source) rows.push(row);
  return rows;
}

/** Bytes of a row's own arrays. */
function ownBytes(row: RowKeyValues): number {
  return [...row.keys, ...row.values].reduce((sum, array) => sum + array.byteLength, 0);
}
