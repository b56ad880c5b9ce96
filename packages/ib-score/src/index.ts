export { binaryEntropy, binaryEntropyDerivative, smoothedValue } from "./binary-entropy.js";
export { IbScoreInputError } from "./errors.js";
export type { NodeId, StepInput, TrajectoryOptions } from "./reasoning-tree.js";
export { ReasoningTree } from "./reasoning-tree.js";
