import { IbScoreInputError } from "./errors.js";

/** Index of a node in a {@link ReasoningTree}; the root (the prompt) is node 0. */
export type NodeId = number;

/** One sampled step: its tokens and, per token, the log-prob and (optionally) the entropy. */
export interface StepInput {
  readonly tokens: ArrayLike<number>;
  /**
   * log pi(token | prefix) for each token; must be <= 0. Null when the rollout has none (text-only
   * dumps): the step's probability and surprisal are then NaN.
   */
  readonly logprobs: ArrayLike<number> | null;
  /** Entropy (nats) of the full next-token distribution at each token; omit if unavailable. */
  readonly entropies?: ArrayLike<number> | null | undefined;
}

export interface TrajectoryOptions {
  /** The response hit the length limit rather than ending; counted and reported. */
  readonly truncated?: boolean;
}

const NONE = -1;
const INITIAL_CAPACITY = 16;

function grown<T extends Int32Array | Float64Array>(array: T, capacity: number, fill: number): T {
  const next = new (array.constructor as new (length: number) => T)(capacity);
  next.set(array);
  if (fill !== 0) next.fill(fill, array.length);
  return next;
}

/**
 * A reasoning tree for one prompt (docs/METHOD.md section 1): the root is the prompt, each node is a
 * step, each root-to-leaf draw is a trajectory. Identical steps drawn at the same parent are
 * merged into one node whose multiplicity counts the draws.
 *
 * Built incrementally: a sampler calls {@link addStep} for every step it draws and
 * {@link addTrajectory} once for every finished response. Node ids are assigned in creation
 * order, so a parent's id is always smaller than its children's.
 *
 * @example
 * const tree = new ReasoningTree({ promptId: "q1" });
 * const a = tree.addStep(tree.root, { tokens: [5, 6], logprobs: [-0.1, -0.2] });
 * const b = tree.addStep(a, { tokens: [7], logprobs: [-0.3] });
 * tree.addTrajectory(b, 1);
 */
export class ReasoningTree {
  readonly root: NodeId = 0;
  readonly promptId: string;
  readonly promptTokens: Int32Array;

  private count = 1;
  private parents = new Int32Array(INITIAL_CAPACITY).fill(NONE);
  private depths = new Int32Array(INITIAL_CAPACITY);
  private firstChildren = new Int32Array(INITIAL_CAPACITY).fill(NONE);
  private nextSiblings = new Int32Array(INITIAL_CAPACITY).fill(NONE);
  private childCounts = new Int32Array(INITIAL_CAPACITY);
  private multiplicities = new Int32Array(INITIAL_CAPACITY);
  private entropyDraws = new Int32Array(INITIAL_CAPACITY);
  private trajectoryCounts = new Int32Array(INITIAL_CAPACITY);
  private rewardSums = new Float64Array(INITIAL_CAPACITY);
  private endingCounts = new Int32Array(INITIAL_CAPACITY);
  private tokenCounts = new Int32Array(INITIAL_CAPACITY);
  // Per-step sums kept beside the token arrays so scoring never has to walk the tokens.
  private entropySums = new Float64Array(INITIAL_CAPACITY).fill(Number.NaN);
  private surprisalSums = new Float64Array(INITIAL_CAPACITY);
  private tokenStarts = new Int32Array(INITIAL_CAPACITY);
  // Token data of all steps lives in three flat pools (a node owns [start, start + count)), so a
  // tree of a million steps is a handful of arrays rather than millions of small objects.
  private poolLength = 0;
  private tokenPool = new Int32Array(INITIAL_CAPACITY * 4);
  private logprobPool = new Float64Array(INITIAL_CAPACITY * 4);
  private entropyPool = new Float64Array(INITIAL_CAPACITY * 4);
  private endingRewardLists = new Map<NodeId, number[]>();
  private truncatedEndingCounts = new Map<NodeId, number>();

  private trajectoryTotal = 0;
  private truncatedTotal = 0;
  private minimumReward = Number.POSITIVE_INFINITY;
  private maximumReward = Number.NEGATIVE_INFINITY;

  constructor(options: { promptId?: string; promptTokens?: ArrayLike<number> } = {}) {
    this.promptId = options.promptId ?? "";
    this.promptTokens = Int32Array.from(options.promptTokens ?? []);
  }

  /** Number of nodes, the root included. */
  get size(): number {
    return this.count;
  }

  /** Number of trajectories (finished responses) recorded. */
  get trajectories(): number {
    return this.trajectoryTotal;
  }

  /** Number of trajectories flagged as truncated. */
  get truncatedTrajectories(): number {
    return this.truncatedTotal;
  }

  /** True when the recorded trajectory rewards are not all equal (the tree counts for Eff-Rate). */
  get hasRewardVariance(): boolean {
    return this.trajectoryTotal >= 2 && this.maximumReward > this.minimumReward;
  }

  /**
   * Record one draw of `step` at `parent` and return its node. A draw equal (same tokens) to an
   * existing child is merged into it: multiplicity + 1, and its per-token log-probs and entropies
   * become the mean over its draws.
   */
  addStep(parent: NodeId, step: StepInput): NodeId {
    this.checkNode(parent, "parent");
    const location = `step at node ${parent}`;
    const length = step.tokens.length;
    if (length < 1) throw new IbScoreInputError("a step must have at least one token", location);
    const logprobs = step.logprobs;
    if (logprobs !== null && logprobs.length !== length) {
      throw new IbScoreInputError(`logprobs has length ${logprobs.length}, tokens has length ${length}`, location);
    }
    const entropies = step.entropies ?? null;
    if (entropies !== null && entropies.length !== length) {
      throw new IbScoreInputError(`entropies has length ${entropies.length}, tokens has length ${length}`, location);
    }
    validateStepNumbers(step, entropies, location);

    const existing = this.findChild(parent, step.tokens);
    if (existing !== NONE) {
      this.mergeDraw(existing, logprobs, entropies);
      return existing;
    }
    return this.createNode(parent, step.tokens, logprobs, entropies);
  }

  /**
   * Record one finished trajectory ending at `leaf` with `reward` in [0, 1]: every node on the
   * path from the root to `leaf` gains one trajectory and `reward` correct mass.
   */
  addTrajectory(leaf: NodeId, reward: number, options: TrajectoryOptions = {}): void {
    this.checkNode(leaf, "leaf");
    if (!(reward >= 0 && reward <= 1)) {
      throw new IbScoreInputError(
        `reward must be a number in [0, 1], got ${reward}`,
        `trajectory ending at node ${leaf}`,
      );
    }
    for (let node = leaf; node !== NONE; node = this.parents[node] as number) {
      (this.trajectoryCounts[node] as number) += 1;
      (this.rewardSums[node] as number) += reward;
    }
    (this.endingCounts[leaf] as number) += 1;
    const endings = this.endingRewardLists.get(leaf);
    if (endings === undefined) this.endingRewardLists.set(leaf, [reward]);
    else endings.push(reward);
    this.trajectoryTotal += 1;
    if (options.truncated) {
      this.truncatedTotal += 1;
      this.truncatedEndingCounts.set(leaf, (this.truncatedEndingCounts.get(leaf) ?? 0) + 1);
    }
    if (reward < this.minimumReward) this.minimumReward = reward;
    if (reward > this.maximumReward) this.maximumReward = reward;
  }

  parent(node: NodeId): NodeId {
    return this.parents[node] as number;
  }

  depth(node: NodeId): number {
    return this.depths[node] as number;
  }

  /** Draws at the parent that produced exactly this step. */
  multiplicity(node: NodeId): number {
    return this.multiplicities[node] as number;
  }

  /** traj(n): trajectories passing through the node. */
  trajectoryCount(node: NodeId): number {
    return this.trajectoryCounts[node] as number;
  }

  /** correct(n): sum of the rewards of the trajectories passing through the node. */
  rewardSum(node: NodeId): number {
    return this.rewardSums[node] as number;
  }

  /** Trajectories that end exactly at this node. */
  endingCount(node: NodeId): number {
    return this.endingCounts[node] as number;
  }

  /** Rewards of the trajectories that end exactly at this node, in the order they were added. */
  endingRewards(node: NodeId): readonly number[] {
    return this.endingRewardLists.get(node) ?? [];
  }

  /** Trajectories ending at this node that were flagged as truncated. */
  truncatedEndingCount(node: NodeId): number {
    return this.truncatedEndingCounts.get(node) ?? 0;
  }

  /** Number of distinct children. */
  childCount(node: NodeId): number {
    return this.childCounts[node] as number;
  }

  children(node: NodeId): NodeId[] {
    const result: NodeId[] = [];
    for (let child = this.firstChildren[node] as number; child !== NONE; child = this.nextSiblings[child] as number) {
      result.push(child);
    }
    return result;
  }

  /** Number of tokens in the step. */
  tokenCount(node: NodeId): number {
    return this.tokenCounts[node] as number;
  }

  tokens(node: NodeId): Int32Array {
    const start = this.tokenStarts[node] as number;
    return this.tokenPool.slice(start, start + (this.tokenCounts[node] as number));
  }

  /** Per-token log-probs (mean over the node's draws); NaN where a draw had none. */
  logprobs(node: NodeId): Float64Array {
    const start = this.tokenStarts[node] as number;
    return this.logprobPool.slice(start, start + (this.tokenCounts[node] as number));
  }

  /** Per-token entropies (mean over the draws that had them), or null when no draw had them. */
  entropies(node: NodeId): Float64Array | null {
    if ((this.entropyDraws[node] as number) === 0) return null;
    const start = this.tokenStarts[node] as number;
    return this.entropyPool.slice(start, start + (this.tokenCounts[node] as number));
  }

  /** Sum of the step's per-token entropies (means over draws), or NaN when the step has none. */
  stepEntropySum(node: NodeId): number {
    return this.entropySums[node] as number;
  }

  /** Sum of the step's per-token surprisals -log p (means over draws); NaN without log-probs. */
  stepSurprisalSum(node: NodeId): number {
    return this.surprisalSums[node] as number;
  }

  /** Node ids from the root's first step down to `node` (the root itself excluded). */
  path(node: NodeId): NodeId[] {
    this.checkNode(node, "node");
    const result: NodeId[] = [];
    for (let current = node; current !== this.root; current = this.parents[current] as number) {
      result.push(current);
    }
    return result.reverse();
  }

  /** All tokens from the first step to `node`, concatenated (the prompt excluded). */
  pathTokens(node: NodeId): Int32Array {
    const steps = this.path(node).map((id) => this.tokens(id));
    const total = steps.reduce((sum, step) => sum + step.length, 0);
    const result = new Int32Array(total);
    let offset = 0;
    for (const step of steps) {
      result.set(step, offset);
      offset += step.length;
    }
    return result;
  }

  private checkNode(node: NodeId, role: string): void {
    if (!Number.isInteger(node) || node < 0 || node >= this.count) {
      throw new IbScoreInputError(`${role} ${node} is not a node of this tree (it has ${this.count} nodes)`);
    }
  }

  private findChild(parent: NodeId, tokens: ArrayLike<number>): NodeId {
    for (let child = this.firstChildren[parent] as number; child !== NONE; child = this.nextSiblings[child] as number) {
      if (this.hasTokens(child, tokens)) return child;
    }
    return NONE;
  }

  private hasTokens(node: NodeId, tokens: ArrayLike<number>): boolean {
    const count = this.tokenCounts[node] as number;
    if (count !== tokens.length) return false;
    const start = this.tokenStarts[node] as number;
    for (let i = 0; i < count; i++) if (this.tokenPool[start + i] !== tokens[i]) return false;
    return true;
  }

  private mergeDraw(node: NodeId, logprobs: ArrayLike<number> | null, entropies: ArrayLike<number> | null): void {
    const draws = (this.multiplicities[node] as number) + 1;
    this.multiplicities[node] = draws;
    const start = this.tokenStarts[node] as number;
    if (logprobs === null) this.logprobPool.fill(Number.NaN, start, start + (this.tokenCounts[node] as number));
    else runningMean(this.logprobPool, start, logprobs, draws);
    if (entropies !== null) {
      const entropyDraws = (this.entropyDraws[node] as number) + 1;
      this.entropyDraws[node] = entropyDraws;
      runningMean(this.entropyPool, start, entropies, entropyDraws);
    }
    this.updateStepSums(node);
  }

  private updateStepSums(node: NodeId): void {
    const start = this.tokenStarts[node] as number;
    const end = start + (this.tokenCounts[node] as number);
    let surprisal = 0;
    for (let i = start; i < end; i++) surprisal -= this.logprobPool[i] as number;
    this.surprisalSums[node] = surprisal;
    if ((this.entropyDraws[node] as number) === 0) return;
    let entropy = 0;
    for (let i = start; i < end; i++) entropy += this.entropyPool[i] as number;
    this.entropySums[node] = entropy;
  }

  private createNode(
    parent: NodeId,
    tokens: ArrayLike<number>,
    logprobs: ArrayLike<number> | null,
    entropies: ArrayLike<number> | null,
  ): NodeId {
    if (this.count === this.parents.length) this.grow();
    const node = this.count++;
    this.parents[node] = parent;
    this.depths[node] = (this.depths[parent] as number) + 1;
    this.multiplicities[node] = 1;
    this.entropyDraws[node] = entropies === null ? 0 : 1;
    this.appendTokens(node, tokens, logprobs, entropies);
    this.updateStepSums(node);
    // Children are kept in creation order so iteration and serialisation are reproducible.
    let last = this.firstChildren[parent] as number;
    if (last === NONE) this.firstChildren[parent] = node;
    else {
      while ((this.nextSiblings[last] as number) !== NONE) last = this.nextSiblings[last] as number;
      this.nextSiblings[last] = node;
    }
    (this.childCounts[parent] as number) += 1;
    return node;
  }

  private appendTokens(
    node: NodeId,
    tokens: ArrayLike<number>,
    logprobs: ArrayLike<number> | null,
    entropies: ArrayLike<number> | null,
  ): void {
    const start = this.poolLength;
    const length = tokens.length;
    if (start + length > this.tokenPool.length) {
      const capacity = Math.max(this.tokenPool.length * 2, start + length);
      this.tokenPool = grown(this.tokenPool, capacity, 0);
      this.logprobPool = grown(this.logprobPool, capacity, 0);
      this.entropyPool = grown(this.entropyPool, capacity, 0);
    }
    for (let i = 0; i < length; i++) {
      this.tokenPool[start + i] = tokens[i] as number;
      this.logprobPool[start + i] = logprobs === null ? Number.NaN : (logprobs[i] as number);
      this.entropyPool[start + i] = entropies === null ? 0 : (entropies[i] as number);
    }
    this.tokenStarts[node] = start;
    this.tokenCounts[node] = length;
    this.poolLength = start + length;
  }

  private grow(): void {
    const capacity = this.parents.length * 2;
    this.parents = grown(this.parents, capacity, NONE);
    this.depths = grown(this.depths, capacity, 0);
    this.firstChildren = grown(this.firstChildren, capacity, NONE);
    this.nextSiblings = grown(this.nextSiblings, capacity, NONE);
    this.childCounts = grown(this.childCounts, capacity, 0);
    this.multiplicities = grown(this.multiplicities, capacity, 0);
    this.entropyDraws = grown(this.entropyDraws, capacity, 0);
    this.trajectoryCounts = grown(this.trajectoryCounts, capacity, 0);
    this.rewardSums = grown(this.rewardSums, capacity, 0);
    this.endingCounts = grown(this.endingCounts, capacity, 0);
    this.tokenCounts = grown(this.tokenCounts, capacity, 0);
    this.tokenStarts = grown(this.tokenStarts, capacity, 0);
    this.entropySums = grown(this.entropySums, capacity, Number.NaN);
    this.surprisalSums = grown(this.surprisalSums, capacity, 0);
  }
}

function runningMean(pool: Float64Array, start: number, sample: ArrayLike<number>, count: number): void {
  for (let i = 0; i < sample.length; i++) {
    const current = pool[start + i] as number;
    pool[start + i] = current + ((sample[i] as number) - current) / count;
  }
}

function validateStepNumbers(step: StepInput, entropies: ArrayLike<number> | null, location: string): void {
  for (let i = 0; i < step.tokens.length; i++) {
    const token = step.tokens[i] as number;
    if (!Number.isInteger(token) || token < 0) {
      throw new IbScoreInputError(`token ${i} is ${token}, expected a non-negative integer`, location);
    }
    const logprob = step.logprobs === null ? 0 : (step.logprobs[i] as number);
    if (Number.isNaN(logprob) || logprob > 0 || logprob === Number.NEGATIVE_INFINITY) {
      throw new IbScoreInputError(`logprob ${i} is ${logprob}, expected a finite number <= 0`, location);
    }
    if (entropies !== null) {
      const entropy = entropies[i] as number;
      if (!(entropy >= 0 && entropy < Number.POSITIVE_INFINITY)) {
        throw new IbScoreInputError(`entropy ${i} is ${entropy}, expected a finite number >= 0`, location);
      }
    }
  }
}
