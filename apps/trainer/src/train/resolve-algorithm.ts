import {
  type AdvantageEstimator,
  createAdvantageEstimator,
  TpoLossInputError,
  type TrainingPreset,
  trainingPreset,
} from "@ibtpo/tpo-loss";
import { type Sampler, type SamplerConfig, TreeSamplerError } from "@ibtpo/tree-sampler";
import { ConfigError } from "../config/config-error.js";
import type { TrainConfig } from "../config/train-config.js";
import { withoutUndefined } from "../config/without-undefined.js";
import { samplerFor } from "./sampler-config.js";

/** The preset, estimator and sampler a config asks for. */
export interface ResolvedAlgorithm {
  readonly preset: TrainingPreset;
  readonly estimator: AdvantageEstimator;
  readonly sampler: Sampler;
  readonly config: SamplerConfig;
}

/** The preset, sampler and estimator a config asks for; errors name the config key. */
export function resolveAlgorithm(config: TrainConfig): ResolvedAlgorithm {
  try {
    const preset = trainingPreset(config.algorithm, {
      advantage: withoutUndefined(config.advantage),
      loss: withoutUndefined(config.loss),
      ...withoutUndefined({
        dropZeroVarianceGroups: config.dropZeroVarianceGroups,
        dynamicSampling: config.dynamicSampling,
        tokenWeighting: config.tokenWeighting,
        maskTruncated: config.maskTruncated,
      }),
    });
    return {
      preset,
      estimator: createAdvantageEstimator(preset.advantage),
      ...samplerFor(preset.sampler, config.sampler),
    };
  } catch (error) {
    if ((TpoLossInputError.isInstance(error) || TreeSamplerError.isInstance(error)) && error.location !== undefined) {
      const key = error.location.replace(/^option /, "");
      throw new ConfigError(`config for algorithm ${config.algorithm}, key "${key}": ${error.message}`);
    }
    throw error;
  }
}
