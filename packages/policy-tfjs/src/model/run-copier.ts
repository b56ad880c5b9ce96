import { type HeapKernels, heapKernels } from "./heap-kernels.js";

/**
 * Equally spaced runs of floats in `array`: run r starts at `at + r * stride`. A KV-cache row of
 * one layer is such a set: its keys one run of columns per head and channel, its values one run
 * of columns times channels per head.
 */
export interface Runs {
  readonly array: Float32Array;
  readonly at: number;
  readonly stride: number;
}

/**
 * Copies runs of floats between arrays. On the wasm backend every run is one bulk copy in
 * heap-kernels.wat (`copyRuns`), and a host array's runs pass through scratch space in the heap
 * with one copy for all of them: copying run by run on the host costs a view object per run
 * (about 0.2 us, more than copying the run's 30 floats), which made reading and writing cache
 * rows a tenth of tree sampling. Elsewhere, and for host-to-host copies, runs are copied on the host.
 *
 * The scratch space is reserved when the copier is made, for `stagedFloats` floats: make it before
 * taking heap views, since reserving may grow the heap and detach them; it holds until another
 * user of the kernels' scratch runs (a model step). A copy that needs more scratch than reserved
 * is made on the host (never a reallocation).
 */
export class RunCopier {
  private constructor(
    private readonly kernels: HeapKernels | undefined,
    private readonly scratch: number,
    private readonly stagedFloats: number,
  ) {}

  /** A copier with scratch for `stagedFloats` floats (on the wasm backend). */
  static open(stagedFloats: number): RunCopier {
    const kernels = heapKernels();
    const scratch = kernels === undefined || stagedFloats === 0 ? 0 : kernels.reserve(stagedFloats * 4);
    return new RunCopier(kernels, scratch, scratch === 0 ? 0 : stagedFloats);
  }

  /** Copy `runs` runs of `length` floats from `source` to `target`. */
  copy(source: Runs, target: Runs, runs: number, length: number): void {
    if (runs === 0 || length === 0) return;
    const kernels = this.kernels;
    if (kernels === undefined) {
      copyOnHost(source, target, runs, length);
      return;
    }
    // Called for every run set of every row a tree's batch reads or writes: no views or argument
    // arrays beyond what a copy needs.
    const heap = kernels.allFloats();
    const sourceOnHeap = source.array.buffer === heap.buffer;
    const targetOnHeap = target.array.buffer === heap.buffer;
    const sourceSpan = (runs - 1) * source.stride + length;
    const sourceAt = source.array.byteOffset + source.at * 4;
    const targetAt = target.array.byteOffset + target.at * 4;
    if (sourceOnHeap && targetOnHeap) {
      kernels.exports.copyRuns(sourceAt, source.stride * 4, targetAt, target.stride * 4, runs, length * 4);
      return;
    }
    if (targetOnHeap && sourceSpan <= this.stagedFloats) {
      // The source's runs, gaps included, in one copy to scratch; then run by run into the heap.
      const whole = source.at === 0 && sourceSpan === source.array.length;
      heap.set(whole ? source.array : source.array.subarray(source.at, source.at + sourceSpan), this.scratch / 4);
      kernels.exports.copyRuns(this.scratch, source.stride * 4, targetAt, target.stride * 4, runs, length * 4);
      return;
    }
    if (sourceOnHeap && target.stride === length && runs * length <= this.stagedFloats) {
      // Runs packed end to end in scratch, then in one copy to the (contiguous) target.
      kernels.exports.copyRuns(sourceAt, source.stride * 4, this.scratch, length * 4, runs, length * 4);
      target.array.set(heap.subarray(this.scratch / 4, this.scratch / 4 + runs * length), target.at);
      return;
    }
    copyOnHost(source, target, runs, length);
  }
}

/** Run by run on the host. */
function copyOnHost(source: Runs, target: Runs, runs: number, length: number): void {
  for (let run = 0; run < runs; run++) {
    const from = source.at + run * source.stride;
    target.array.set(source.array.subarray(from, from + length), target.at + run * target.stride);
  }
}
