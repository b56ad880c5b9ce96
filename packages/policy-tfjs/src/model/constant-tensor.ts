import * as tf from "@tensorflow/tfjs";

/** Per backend instance, the constants built so far (a backend that is removed takes its own along). */
const constantsByBackend = new WeakMap<object, Map<string, tf.Tensor>>();

/**
 * A constant tensor built once per backend and kept, under `key`. An op given a plain number
 * uploads it as a new scalar on every call, which costs about as much as a small kernel; a decode
 * step uses a few dozen.
 */
export function constantTensor<T extends tf.Tensor>(key: string, build: () => T): T {
  const backend = tf.backend();
  let constants = constantsByBackend.get(backend);
  if (constants === undefined) {
    constants = new Map();
    constantsByBackend.set(backend, constants);
  }
  let tensor = constants.get(key);
  if (tensor === undefined || tensor.isDisposed) {
    tensor = tf.keep(tf.tidy(build));
    constants.set(key, tensor);
  }
  return tensor as T;
}

/** The scalar `value` as a {@link constantTensor}. */
export function constantScalar(value: number): tf.Scalar {
  return constantTensor(`scalar ${value}`, () => tf.scalar(value));
}
