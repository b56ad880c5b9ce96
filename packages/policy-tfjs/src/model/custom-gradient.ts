import * as tf from "@tensorflow/tfjs";

/** Keeps tensors for the gradient function (save only what the gradient needs). */
export type Saver = (tensors: tf.Tensor[]) => void;

/** The tensors custom gradients keep inside the open {@link withUncopiedSaves} scope, or null. */
let keptInScope: tf.Tensor[] | null = null;

/**
 * Run `run` (a whole forward and backward pass, such as `tf.variableGrads`) with the tensors that
 * {@link customGradient}s save kept as they are instead of copied, and free them when it returns.
 * tfjs copies every saved tensor so that the forward pass's scopes may free the original, and on
 * wasm the copy is a full copy of the data (a few percent of a training step); here the original is
 * kept out of those scopes instead, until the gradients are computed.
 */
export function withUncopiedSaves<T>(run: () => T): T {
  const outer = keptInScope;
  const kept: tf.Tensor[] = [];
  keptInScope = kept;
  try {
    return run();
  } finally {
    keptInScope = outer;
    tf.dispose(kept);
  }
}

/**
 * `tf.customGrad` with the inputs' and output's tensor types kept (the output's from `dy`),
 * instead of `any` casts at each use. Inside {@link withUncopiedSaves} the saved tensors are kept
 * uncopied (variables and other kept tensors are left alone: they outlive the step anyway).
 */
export function customGradient<Inputs extends tf.Tensor[], Output extends tf.Tensor>(
  f: (...args: [...Inputs, Saver]) => {
    value: tf.Tensor;
    gradFunc: (dy: Output, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
  },
): (...inputs: Inputs) => Output {
  const withSaves = (...args: unknown[]) => {
    const copyingSave = args.pop() as Saver;
    const scope = keptInScope;
    let uncopied: tf.Tensor[] = [];
    const save: Saver = (tensors) => {
      if (scope === null) return copyingSave(tensors);
      for (const tensor of tensors) {
        if (!tensor.kept && !(tensor instanceof tf.Variable)) scope.push(tf.keep(tensor));
      }
      uncopied = tensors;
    };
    const { value, gradFunc } = (f as (...inputs: unknown[]) => ReturnType<typeof f>)(...args, save);
    return {
      value,
      gradFunc: (dy: Output, saved: tf.Tensor[]) => gradFunc(dy, scope === null ? saved : uncopied),
    };
  };
  return tf.customGrad(withSaves as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
    ...inputs: Inputs
  ) => Output;
}

/**
 * Column sums of rows `[n, d]` as `transpose(rows) @ ones[n, 1]`. XNNPACK packs a product's right
 * operand anew for every fresh tensor, and a ones column is `n` numbers to pack, where the former
 * `ones[1, n] @ rows` packed all the fresh rows on every call (for a step's `[2016, 128]` gradient
 * about ten times the cost of this transpose); `tf.sum(rows, 0)` transposes too and then reduces
 * in a scalar loop.
 */
export function sumRows(rows: tf.Tensor2D): tf.Tensor1D {
  const [count, width] = rows.shape;
  return tf.reshape(tf.matMul(tf.transpose(rows), tf.ones([count, 1])), [width]) as tf.Tensor1D;
}
