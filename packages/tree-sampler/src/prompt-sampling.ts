import { type NodeId, ReasoningTree } from "@ibtpo/ib-score";
import { Sfc32, seedStreams } from "@ibtpo/random";
import { TreeSamplerError } from "./errors.js";
import { fitToBudget } from "./fit-to-budget.js";
import {
  type ForkPoint,
  type ForkRequest,
  forkAttachment,
  forkKey,
  type PreparedFork,
  prepareFork,
} from "./fork-point.js";
import { growBranch } from "./grow-branch.js";
import type { Generation, GenerationRequest } from "./policy.js";
import type { ResolvedSampleOptions } from "./sample-options.js";
import type { PlanContext } from "./sampler.js";
import type { IterationRecord, Trajectory } from "./trajectory.js";

export interface PlannedRequest {
  readonly sampling: PromptSampling;
  readonly fork: PreparedFork;
  readonly request: GenerationRequest;
  /** The budget lowered this request's maxTokens below what the response length allows. */
  readonly cutToBudget: boolean;
}

interface GrownResponse extends Omit<Trajectory, "reward" | "truncated"> {}

/** One prompt's tree while it is being sampled: budget, fork history, trajectories. */
export class PromptSampling {
  readonly tree: ReasoningTree;
  readonly trajectories: Trajectory[] = [];
  readonly iterations: IterationRecord[] = [];
  generatedTokens = 0;
  done = false;
  private readonly forkedKeys = new Set<string>();
  private readonly lengths: number[] = [0];

  constructor(
    readonly promptIndex: number,
    readonly prompt: Int32Array,
    private readonly options: ResolvedSampleOptions,
  ) {
    this.tree = new ReasoningTree({ promptId: String(promptIndex), promptTokens: prompt });
  }

  /** Ask the sampler for this iteration's forks and turn them into budgeted requests. */
  plan(iteration: number): { forks: ForkRequest[]; requests: PlannedRequest[] } {
    const remaining = this.options.budget - this.generatedTokens;
    if (remaining <= 0) return this.finish();
    const context = this.planContext(iteration);
    const forks = [...this.options.sampler.plan(context)];
    const location = `sampler '${this.options.sampler.name}', prompt ${this.promptIndex}, iteration ${iteration}`;
    const prepared = forks.map((fork, index) => {
      if (!Number.isInteger(fork.branches) || fork.branches < 1) {
        throw new TreeSamplerError(`fork ${index} asks for ${fork.branches} branches`, location);
      }
      if (!context.canFork(fork)) {
        throw new TreeSamplerError(
          `fork ${index} (node ${fork.node}, offset ${fork.offset}) cannot be continued`,
          location,
        );
      }
      return prepareFork(this.tree, fork, `${location}, fork ${index}`);
    });
    const expanded = prepared.flatMap((fork, index) =>
      Array.from({ length: (forks[index] as ForkRequest).branches }, () => fork),
    );
    const desired = expanded.map((fork) => this.options.maxResponseLength - fork.responsePrefix.tokens.length);
    const granted = fitToBudget(desired, remaining, this.options.budgetCut);
    const requests: PlannedRequest[] = [];
    for (const [index, fork] of expanded.entries()) {
      const maxTokens = granted[index] as number;
      if (maxTokens === 0) continue;
      const seed = seedStreams.generationRequest(this.options.seed, this.promptIndex, iteration, requests.length);
      const prefix = new Int32Array(this.prompt.length + fork.responsePrefix.tokens.length);
      prefix.set(this.prompt);
      prefix.set(fork.responsePrefix.tokens, this.prompt.length);
      requests.push({
        sampling: this,
        fork,
        request: { prefix, settings: { ...this.options.sampling, maxTokens, seed } },
        cutToBudget: maxTokens < (desired[index] as number),
      });
    }
    if (requests.length === 0) return this.finish();
    for (const fork of prepared) this.forkedKeys.add(fork.key);
    const cutToBudget = granted.some((tokens, index) => tokens < (desired[index] as number));
    this.iterations.push({ iteration, forks, requests: requests.length, generatedTokens: 0, cutToBudget });
    return { forks, requests };
  }

  /** Add a generation to the tree; the reward is added later by {@link record}. */
  grow(planned: PlannedRequest, generation: Generation, iteration: number): GrownResponse {
    const { leaf, response } = growBranch(
      this.tree,
      planned.fork,
      generation,
      this.options.segmenter,
      this.options.maxDepth,
    );
    const generated = generation.tokens.length;
    this.generatedTokens += generated;
    const record = this.iterations[this.iterations.length - 1] as IterationRecord;
    this.iterations[this.iterations.length - 1] = { ...record, generatedTokens: record.generatedTokens + generated };
    const truncation = generation.finishReason !== "length" ? null : planned.cutToBudget ? "budget" : "max-length";
    return {
      leaf,
      ...response,
      finishReason: generation.finishReason,
      truncation,
      iteration,
      generatedTokens: generated,
      reusedSteps: this.tree.depth(planned.fork.attachTo),
    };
  }

  /** Reward of a grown response: 0 when truncated, else the verifier's, checked to be in [0, 1]. */
  async reward(response: GrownResponse): Promise<number> {
    if (response.truncation !== null) return 0;
    const reward = await this.options.reward(this.promptIndex, response.tokens, response.finishReason);
    if (typeof reward !== "number" || !(reward >= 0 && reward <= 1)) {
      throw new TreeSamplerError(
        `the reward function returned ${String(reward)}, expected a number in [0, 1]`,
        `prompt ${this.promptIndex}, trajectory ${this.trajectories.length}`,
      );
    }
    return reward;
  }

  record(response: GrownResponse, reward: number): void {
    const truncated = response.truncation !== null;
    this.tree.addTrajectory(response.leaf, reward, { truncated });
    this.trajectories.push({ ...response, reward, truncated });
  }

  private finish(): { forks: ForkRequest[]; requests: PlannedRequest[] } {
    this.done = true;
    return { forks: [], requests: [] };
  }

  private responseLength(node: NodeId): number {
    for (let id = this.lengths.length; id <= node; id++) {
      this.lengths.push((this.lengths[this.tree.parent(id)] as number) + this.tree.tokens(id).length);
    }
    return this.lengths[node] as number;
  }

  private isBranchCandidate(node: NodeId): boolean {
    const { tree, options } = this;
    return (
      tree.endingCount(node) === 0 &&
      tree.depth(node) < options.maxDepth &&
      this.responseLength(node) < options.maxResponseLength
    );
  }

  private planContext(iteration: number): PlanContext {
    const { tree, options } = this;
    return {
      tree,
      iteration,
      random: new Sfc32(seedStreams.samplerChoices(options.seed, this.promptIndex, iteration)),
      maxDepth: options.maxDepth,
      maxResponseLength: options.maxResponseLength,
      responseLength: (node) => this.responseLength(node),
      isBranchCandidate: (node) => this.isBranchCandidate(node),
      canFork: (point: ForkPoint) => {
        const { attachTo, headLength } = forkAttachment(tree, point);
        if (headLength === 0) return this.isBranchCandidate(attachTo);
        return (
          tree.depth(attachTo) < options.maxDepth &&
          this.responseLength(attachTo) + headLength < options.maxResponseLength
        );
      },
      wasForked: (point: ForkPoint) => this.forkedKeys.has(forkKey(tree, point)),
    };
  }
}
