import { defaultPaperScoreOptions, stepProbabilityModes } from "@ibtpo/ib-score";

/**
 * The one home of every sampler's option names, kinds, ranges and defaults. The samplers resolve
 * their options from these tables, and an application (a CLI, a config schema, `--help`) can build
 * its own validation and documentation from them, so a new option is one edit here.
 */

/** Every sampler this package builds, in the order reports list them. */
export const SAMPLER_KINDS = ["chains", "random-tree", "fixed-width-tree", "entropy-tree", "ib-tree"] as const;

/** Name of a sampler kind (`createSampler({ kind })`). */
export type SamplerKind = (typeof SAMPLER_KINDS)[number];

interface OptionSpecBase {
  readonly name: string;
  /** One line for `--help` and docs. */
  readonly doc: string;
  /** The letter docs/METHOD.md and the papers use for this option, when there is one. */
  readonly letter?: string;
}

/**
 * An integer option. With `unlimited`, `Infinity` is accepted too and means "no limit" (the budget
 * ends the tree first).
 */
export interface IntegerOptionSpec extends OptionSpecBase {
  readonly kind: "integer";
  readonly default: number;
  readonly min: number;
  readonly max?: number;
  readonly unlimited: boolean;
}

/** A real-valued option; `exclusiveMin` rules out `min` itself. */
export interface NumberOptionSpec extends OptionSpecBase {
  readonly kind: "number";
  readonly default: number;
  readonly min?: number;
  readonly exclusiveMin?: boolean;
  readonly max?: number;
}

/** One of a fixed list of strings. */
export interface ChoiceOptionSpec extends OptionSpecBase {
  readonly kind: "choice";
  readonly default: string;
  readonly choices: readonly string[];
}

export interface BooleanOptionSpec extends OptionSpecBase {
  readonly kind: "boolean";
  readonly default: boolean;
}

/** What one sampler option is: its name, value kind, range or choices, default and a line of doc. */
export type SamplerOptionSpec = IntegerOptionSpec | NumberOptionSpec | ChoiceOptionSpec | BooleanOptionSpec;

/** The branching scores `ib-tree` can rank nodes by (docs/METHOD.md section 4). */
export const BRANCH_SCORES = ["paper", "shannon-optimistic"] as const;

const initialChains = (defaultValue: number, letter: string) =>
  ({
    name: "initialChains",
    kind: "integer",
    default: defaultValue,
    min: 1,
    unlimited: false,
    letter,
    doc: "independent chains sampled from the prompt in the first call",
  }) as const;

const rounds = (letter: string, doc: string) =>
  ({
    name: "rounds",
    kind: "integer",
    default: Number.POSITIVE_INFINITY,
    min: 0,
    unlimited: true,
    letter,
    doc,
  }) as const;

const nodeBranching = [
  initialChains(4, "B0"),
  {
    name: "nodesPerRound",
    kind: "integer",
    default: 1,
    min: 1,
    unlimited: false,
    letter: "K",
    doc: "nodes branched per round",
  },
  {
    name: "branches",
    kind: "integer",
    default: 1,
    min: 1,
    unlimited: false,
    letter: "B",
    doc: "new continuations sampled from each branched node",
  },
  rounds("L-1", "cap on branching rounds after the initial chains (Infinity: until the budget is spent)"),
] as const;

/**
 * Per sampler kind, its options. Defaults: `ib-tree` and `random-tree` follow the paper's
 * (B0, K, B) = (4, 1, 1) with no round cap; `entropy-tree` keeps the shape this project's trainer
 * has used; `chains` fills the budget four responses per prompt per call.
 *
 * @example
 * for (const spec of SAMPLER_OPTION_SPECS["ib-tree"]) console.log(spec.name, spec.default, spec.doc);
 */
export const SAMPLER_OPTION_SPECS = {
  chains: [
    {
      name: "responses",
      kind: "integer",
      default: Number.POSITIVE_INFINITY,
      min: 1,
      unlimited: true,
      letter: "G",
      doc: "independent responses per prompt (Infinity: as many as the budget allows)",
    },
    {
      name: "perIteration",
      kind: "integer",
      default: 4,
      min: 1,
      unlimited: false,
      doc: "responses per prompt requested in each generate call",
    },
  ],
  "random-tree": nodeBranching,
  "fixed-width-tree": [
    initialChains(4, "B0"),
    {
      name: "width",
      kind: "integer",
      default: 2,
      min: 1,
      unlimited: false,
      doc: "draws every node below the root is brought up to, one depth per round",
    },
    rounds("L-1", "cap on depths branched after the initial chains (Infinity: until the budget is spent)"),
  ],
  "entropy-tree": [
    initialChains(2, "M"),
    {
      name: "forkPoints",
      kind: "integer",
      default: 2,
      min: 1,
      unlimited: false,
      letter: "N",
      doc: "token positions forked per round, across the whole tree",
    },
    rounds("L", "cap on forking rounds after the initial chains (Infinity: until the budget is spent)"),
    {
      name: "branches",
      kind: "integer",
      default: 2,
      min: 1,
      unlimited: false,
      letter: "T",
      doc: "new continuations sampled from each fork point",
    },
  ],
  "ib-tree": [
    ...nodeBranching,
    {
      name: "branchScore",
      kind: "choice",
      default: "paper",
      choices: BRANCH_SCORES,
      doc: "node ranking: the paper's IB-Score J, or the Shannon score with an optimistic lone-child bonus",
    },
    {
      name: "beta",
      kind: "number",
      default: defaultPaperScoreOptions.beta,
      min: 0,
      exclusiveMin: true,
      letter: "beta",
      doc: "weight of the information term in the branching score",
    },
    {
      name: "stepProbability",
      kind: "choice",
      default: defaultPaperScoreOptions.stepProbability,
      choices: stepProbabilityModes,
      doc: "paper score: a step's probability as exp(mean token log-prob) or exp(sum)",
    },
    {
      name: "minNovelty",
      kind: "number",
      default: 0,
      min: 0,
      max: 1,
      doc: "branch only nodes whose next draw is new with at least this probability (0: every node, the paper's)",
    },
  ],
} as const satisfies Record<SamplerKind, readonly SamplerOptionSpec[]>;

type Specs<Kind extends SamplerKind> = (typeof SAMPLER_OPTION_SPECS)[Kind][number];

type OptionValue<Spec> = Spec extends { readonly kind: "integer" | "number" }
  ? number
  : Spec extends { readonly kind: "boolean" }
    ? boolean
    : Spec extends { readonly choices: readonly (infer Choice)[] }
      ? Choice
      : never;

/** The options of one sampler kind, every one optional (absent = the table's default). */
export type SamplerKindOptions<Kind extends SamplerKind> = {
  readonly [Spec in Specs<Kind> as Spec["name"]]?: OptionValue<Spec>;
};

/** The options of one sampler kind with every default filled in. */
export type ResolvedSamplerKindOptions<Kind extends SamplerKind> = {
  readonly [Spec in Specs<Kind> as Spec["name"]]: OptionValue<Spec>;
};

/**
 * The table's default of every option of a sampler kind.
 *
 * @example
 * samplerDefaults("ib-tree"); // { initialChains: 4, nodesPerRound: 1, branches: 1, rounds: Infinity, ... }
 */
export function samplerDefaults<Kind extends SamplerKind>(kind: Kind): ResolvedSamplerKindOptions<Kind> {
  const specs: readonly SamplerOptionSpec[] = SAMPLER_OPTION_SPECS[kind];
  return Object.fromEntries(specs.map((spec) => [spec.name, spec.default])) as ResolvedSamplerKindOptions<Kind>;
}
