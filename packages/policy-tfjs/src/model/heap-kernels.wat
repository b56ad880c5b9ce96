;; Kernels of our own on the memory of tfjs's wasm backend (imported), so the data is read and
;; written where it lies, in 128-bit SIMD where it pays: a decode step's KV-cache column write,
;; the KV-cache's strided row copies, single-query attention products, and LayerNorm (forward and
;; gradient), one kernel each where tfjs's ops take six to nine (GELU and training attention, which
;; need e^x, are in exponential-kernels.wat). The source of heap-kernels-wasm.ts:
;; `pnpm --filter @ibtpo/policy-tfjs build:wasm` compiles it with wabt. Addresses are byte offsets
;; into that memory; every array is float32. Callers: heap-attention.ts, heap-normalization.ts,
;; run-copier.ts.
(module
  (import "env" "memory" (memory 0))

  ;; Column `column` of the cache from one step's rows: row b's keys are
  ;; rows[b * stride + keysAt + i] and its values rows[b * stride + valuesAt + i], i < heads *
  ;; headDimension (offsets in floats). keys: [batch, heads, headDimension, capacity], one float per
  ;; (b, i); values: [batch, heads, capacity, headDimension], one run of headDimension per head.
  (func (export "writeColumn")
    (param $rows i32) (param $stride i32) (param $keysAt i32) (param $valuesAt i32)
    (param $keys i32) (param $values i32) (param $batch i32) (param $heads i32)
    (param $headDimension i32) (param $capacity i32) (param $column i32)
    (local $row i32) (local $index i32) (local $head i32) (local $d i32) (local $source i32)
    (local $target i32) (local $keyRowBytes i32) (local $runBytes i32)
    (local.set $d (i32.mul (local.get $heads) (local.get $headDimension)))
    (local.set $keyRowBytes (i32.shl (local.get $capacity) (i32.const 2)))
    (local.set $runBytes (i32.shl (local.get $headDimension) (i32.const 2)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $batch)))
        (local.set $source
          (i32.add (local.get $rows)
            (i32.shl
              (i32.add (i32.mul (local.get $row) (local.get $stride)) (local.get $keysAt))
              (i32.const 2))))
        (local.set $target
          (i32.add (local.get $keys)
            (i32.shl
              (i32.add
                (i32.mul (i32.mul (local.get $row) (local.get $d)) (local.get $capacity))
                (local.get $column))
              (i32.const 2))))
        (local.set $index (i32.const 0))
        (block $keysDone
          (loop $keyLoop
            (br_if $keysDone (i32.ge_u (local.get $index) (local.get $d)))
            (f32.store (local.get $target) (f32.load (local.get $source)))
            (local.set $source (i32.add (local.get $source) (i32.const 4)))
            (local.set $target (i32.add (local.get $target) (local.get $keyRowBytes)))
            (local.set $index (i32.add (local.get $index) (i32.const 1)))
            (br $keyLoop)))
        (local.set $source
          (i32.add (local.get $rows)
            (i32.shl
              (i32.add (i32.mul (local.get $row) (local.get $stride)) (local.get $valuesAt))
              (i32.const 2))))
        (local.set $head (i32.const 0))
        (block $headsDone
          (loop $headLoop
            (br_if $headsDone (i32.ge_u (local.get $head) (local.get $heads)))
            (memory.copy
              (i32.add (local.get $values)
                (i32.mul
                  (i32.add
                    (i32.mul
                      (i32.add (i32.mul (local.get $row) (local.get $heads)) (local.get $head))
                      (local.get $capacity))
                    (local.get $column))
                  (local.get $runBytes)))
              (local.get $source)
              (local.get $runBytes))
            (local.set $source (i32.add (local.get $source) (local.get $runBytes)))
            (local.set $head (i32.add (local.get $head) (i32.const 1)))
            (br $headLoop)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rowLoop))))

  ;; `runs` runs of `bytes` bytes, run r from source + r * sourceStride to target + r * targetStride
  ;; (all in bytes), one bulk copy each: a KV-cache row's keys are one run per head and channel,
  ;; which host code copies at the cost of a view object per run.
  (func (export "copyRuns")
    (param $source i32) (param $sourceStride i32) (param $target i32) (param $targetStride i32)
    (param $runs i32) (param $bytes i32)
    (block $done
      (loop $run
        (br_if $done (i32.eqz (local.get $runs)))
        (memory.copy (local.get $target) (local.get $source) (local.get $bytes))
        (local.set $source (i32.add (local.get $source) (local.get $sourceStride)))
        (local.set $target (i32.add (local.get $target) (local.get $targetStride)))
        (local.set $runs (i32.sub (local.get $runs) (i32.const 1)))
        (br $run))))

  ;; scores[b, h, c] = sum_i queries[b * queryStride + h * headDimension + i] * keys[b, h, i, c]
  ;;                   + bias[b, c], for starts[b] <= c < columns (starts: int32 [batch]; the
  ;; columns before a row's start are left as they are).
  ;; keys: [batch, heads, headDimension, capacity]; scores: [batch, heads, columns].
  ;; Eight columns per pass (two vectors), then four, then one at a time; each sum runs over i
  ;; in order, in float32.
  (func (export "scores")
    (param $queries i32) (param $queryStride i32) (param $keys i32) (param $bias i32)
    (param $scores i32) (param $batch i32) (param $heads i32) (param $headDimension i32)
    (param $capacity i32) (param $columns i32) (param $starts i32)
    (local $row i32) (local $head i32) (local $query i32) (local $keyBlock i32)
    (local $scoreBlock i32) (local $biasRow i32) (local $column i32) (local $index i32)
    (local $key i32) (local $keyRowBytes i32) (local $block i32)
    (local $q v128) (local $sum0 v128) (local $sum1 v128) (local $sum f32)
    (local.set $keyRowBytes (i32.shl (local.get $capacity) (i32.const 2)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $batch)))
        (local.set $biasRow
          (i32.add (local.get $bias)
            (i32.shl (i32.mul (local.get $row) (local.get $columns)) (i32.const 2))))
        (local.set $head (i32.const 0))
        (block $headsDone
          (loop $headLoop
            (br_if $headsDone (i32.ge_u (local.get $head) (local.get $heads)))
            (local.set $block
              (i32.add (i32.mul (local.get $row) (local.get $heads)) (local.get $head)))
            (local.set $query
              (i32.add (local.get $queries)
                (i32.shl
                  (i32.add (i32.mul (local.get $row) (local.get $queryStride))
                    (i32.mul (local.get $head) (local.get $headDimension)))
                  (i32.const 2))))
            (local.set $keyBlock
              (i32.add (local.get $keys)
                (i32.shl
                  (i32.mul (i32.mul (local.get $block) (local.get $headDimension)) (local.get $capacity))
                  (i32.const 2))))
            (local.set $scoreBlock
              (i32.add (local.get $scores)
                (i32.shl (i32.mul (local.get $block) (local.get $columns)) (i32.const 2))))
            (local.set $column (i32.load (i32.add (local.get $starts) (i32.shl (local.get $row) (i32.const 2)))))
            (block $eightsDone
              (loop $eights
                (br_if $eightsDone
                  (i32.gt_u (i32.add (local.get $column) (i32.const 8)) (local.get $columns)))
                (local.set $sum0 (v128.const f32x4 0 0 0 0))
                (local.set $sum1 (v128.const f32x4 0 0 0 0))
                (local.set $key
                  (i32.add (local.get $keyBlock) (i32.shl (local.get $column) (i32.const 2))))
                (local.set $index (i32.const 0))
                (block $dimensionsDone
                  (loop $dimensions
                    (br_if $dimensionsDone (i32.ge_u (local.get $index) (local.get $headDimension)))
                    (local.set $q
                      (f32x4.splat
                        (f32.load
                          (i32.add (local.get $query) (i32.shl (local.get $index) (i32.const 2))))))
                    (local.set $sum0
                      (f32x4.add (local.get $sum0)
                        (f32x4.mul (local.get $q) (v128.load align=4 (local.get $key)))))
                    (local.set $sum1
                      (f32x4.add (local.get $sum1)
                        (f32x4.mul (local.get $q) (v128.load offset=16 align=4 (local.get $key)))))
                    (local.set $key (i32.add (local.get $key) (local.get $keyRowBytes)))
                    (local.set $index (i32.add (local.get $index) (i32.const 1)))
                    (br $dimensions)))
                (v128.store align=4
                  (i32.add (local.get $scoreBlock) (i32.shl (local.get $column) (i32.const 2)))
                  (f32x4.add (local.get $sum0)
                    (v128.load align=4
                      (i32.add (local.get $biasRow) (i32.shl (local.get $column) (i32.const 2))))))
                (v128.store offset=16 align=4
                  (i32.add (local.get $scoreBlock) (i32.shl (local.get $column) (i32.const 2)))
                  (f32x4.add (local.get $sum1)
                    (v128.load offset=16 align=4
                      (i32.add (local.get $biasRow) (i32.shl (local.get $column) (i32.const 2))))))
                (local.set $column (i32.add (local.get $column) (i32.const 8)))
                (br $eights)))
            (if (i32.le_u (i32.add (local.get $column) (i32.const 4)) (local.get $columns))
              (then
                (local.set $sum0 (v128.const f32x4 0 0 0 0))
                (local.set $key
                  (i32.add (local.get $keyBlock) (i32.shl (local.get $column) (i32.const 2))))
                (local.set $index (i32.const 0))
                (block $dimensionsDone
                  (loop $dimensions
                    (br_if $dimensionsDone (i32.ge_u (local.get $index) (local.get $headDimension)))
                    (local.set $sum0
                      (f32x4.add (local.get $sum0)
                        (f32x4.mul
                          (f32x4.splat
                            (f32.load
                              (i32.add (local.get $query) (i32.shl (local.get $index) (i32.const 2)))))
                          (v128.load align=4 (local.get $key)))))
                    (local.set $key (i32.add (local.get $key) (local.get $keyRowBytes)))
                    (local.set $index (i32.add (local.get $index) (i32.const 1)))
                    (br $dimensions)))
                (v128.store align=4
                  (i32.add (local.get $scoreBlock) (i32.shl (local.get $column) (i32.const 2)))
                  (f32x4.add (local.get $sum0)
                    (v128.load align=4
                      (i32.add (local.get $biasRow) (i32.shl (local.get $column) (i32.const 2))))))
                (local.set $column (i32.add (local.get $column) (i32.const 4)))))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_u (local.get $column) (local.get $columns)))
                (local.set $sum (f32.const 0))
                (local.set $key
                  (i32.add (local.get $keyBlock) (i32.shl (local.get $column) (i32.const 2))))
                (local.set $index (i32.const 0))
                (block $dimensionsDone
                  (loop $dimensions
                    (br_if $dimensionsDone (i32.ge_u (local.get $index) (local.get $headDimension)))
                    (local.set $sum
                      (f32.add (local.get $sum)
                        (f32.mul
                          (f32.load
                            (i32.add (local.get $query) (i32.shl (local.get $index) (i32.const 2))))
                          (f32.load (local.get $key)))))
                    (local.set $key (i32.add (local.get $key) (local.get $keyRowBytes)))
                    (local.set $index (i32.add (local.get $index) (i32.const 1)))
                    (br $dimensions)))
                (f32.store
                  (i32.add (local.get $scoreBlock) (i32.shl (local.get $column) (i32.const 2)))
                  (f32.add (local.get $sum)
                    (f32.load
                      (i32.add (local.get $biasRow) (i32.shl (local.get $column) (i32.const 2))))))
                (local.set $column (i32.add (local.get $column) (i32.const 1)))
                (br $tail)))
            (local.set $head (i32.add (local.get $head) (i32.const 1)))
            (br $headLoop)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows))))

  ;; merged[b, h * headDimension + i] = sum_c weights[b, h, c] * values[b, h, c, i], for
  ;; starts[b] <= c < columns (starts: int32 [batch]).
  ;; weights: [batch, heads, columns]; values: [batch, heads, capacity, headDimension];
  ;; merged: [batch, heads * headDimension]. Sixteen outputs per pass over the columns (four
  ;; vectors), then four, then one at a time; each sum runs over c in order, in float32.
  (func (export "context")
    (param $weights i32) (param $values i32) (param $merged i32) (param $batch i32)
    (param $heads i32) (param $headDimension i32) (param $capacity i32) (param $columns i32)
    (param $starts i32)
    (local $first i32) (local $live i32) (local $blocks i32) (local $block i32) (local $weightBlock i32) (local $valueBlock i32)
    (local $mergedBlock i32) (local $index i32) (local $column i32) (local $value i32)
    (local $valueRowBytes i32) (local $weight i32)
    (local $w v128) (local $sum0 v128) (local $sum1 v128) (local $sum2 v128) (local $sum3 v128)
    (local $sum f32)
    (local.set $valueRowBytes (i32.shl (local.get $headDimension) (i32.const 2)))
    (local.set $blocks (i32.mul (local.get $batch) (local.get $heads)))
    (block $blocksDone
      (loop $blockLoop
        (br_if $blocksDone (i32.ge_u (local.get $block) (local.get $blocks)))
        ;; The block's row starts at column `first`: the weights and values from there on.
        (local.set $first
          (i32.load
            (i32.add (local.get $starts)
              (i32.shl (i32.div_u (local.get $block) (local.get $heads)) (i32.const 2)))))
        (local.set $live (i32.sub (local.get $columns) (local.get $first)))
        (local.set $weightBlock
          (i32.add (local.get $weights)
            (i32.shl
              (i32.add (i32.mul (local.get $block) (local.get $columns)) (local.get $first))
              (i32.const 2))))
        (local.set $valueBlock
          (i32.add (local.get $values)
            (i32.shl
              (i32.mul
                (i32.add (i32.mul (local.get $block) (local.get $capacity)) (local.get $first))
                (local.get $headDimension))
              (i32.const 2))))
        (local.set $mergedBlock
          (i32.add (local.get $merged)
            (i32.shl (i32.mul (local.get $block) (local.get $headDimension)) (i32.const 2))))
        (local.set $index (i32.const 0))
        (block $sixteensDone
          (loop $sixteens
            (br_if $sixteensDone
              (i32.gt_u (i32.add (local.get $index) (i32.const 16)) (local.get $headDimension)))
            (local.set $sum0 (v128.const f32x4 0 0 0 0))
            (local.set $sum1 (v128.const f32x4 0 0 0 0))
            (local.set $sum2 (v128.const f32x4 0 0 0 0))
            (local.set $sum3 (v128.const f32x4 0 0 0 0))
            (local.set $value
              (i32.add (local.get $valueBlock) (i32.shl (local.get $index) (i32.const 2))))
            (local.set $weight (local.get $weightBlock))
            (local.set $column (i32.const 0))
            (block $columnsDone
              (loop $columnLoop
                (br_if $columnsDone (i32.ge_u (local.get $column) (local.get $live)))
                (local.set $w (f32x4.splat (f32.load (local.get $weight))))
                (local.set $sum0
                  (f32x4.add (local.get $sum0)
                    (f32x4.mul (local.get $w) (v128.load align=4 (local.get $value)))))
                (local.set $sum1
                  (f32x4.add (local.get $sum1)
                    (f32x4.mul (local.get $w) (v128.load offset=16 align=4 (local.get $value)))))
                (local.set $sum2
                  (f32x4.add (local.get $sum2)
                    (f32x4.mul (local.get $w) (v128.load offset=32 align=4 (local.get $value)))))
                (local.set $sum3
                  (f32x4.add (local.get $sum3)
                    (f32x4.mul (local.get $w) (v128.load offset=48 align=4 (local.get $value)))))
                (local.set $value (i32.add (local.get $value) (local.get $valueRowBytes)))
                (local.set $weight (i32.add (local.get $weight) (i32.const 4)))
                (local.set $column (i32.add (local.get $column) (i32.const 1)))
                (br $columnLoop)))
            (local.set $value
              (i32.add (local.get $mergedBlock) (i32.shl (local.get $index) (i32.const 2))))
            (v128.store align=4 (local.get $value) (local.get $sum0))
            (v128.store offset=16 align=4 (local.get $value) (local.get $sum1))
            (v128.store offset=32 align=4 (local.get $value) (local.get $sum2))
            (v128.store offset=48 align=4 (local.get $value) (local.get $sum3))
            (local.set $index (i32.add (local.get $index) (i32.const 16)))
            (br $sixteens)))
        (block $foursDone
          (loop $fours
            (br_if $foursDone
              (i32.gt_u (i32.add (local.get $index) (i32.const 4)) (local.get $headDimension)))
            (local.set $sum0 (v128.const f32x4 0 0 0 0))
            (local.set $value
              (i32.add (local.get $valueBlock) (i32.shl (local.get $index) (i32.const 2))))
            (local.set $weight (local.get $weightBlock))
            (local.set $column (i32.const 0))
            (block $columnsDone
              (loop $columnLoop
                (br_if $columnsDone (i32.ge_u (local.get $column) (local.get $live)))
                (local.set $sum0
                  (f32x4.add (local.get $sum0)
                    (f32x4.mul (f32x4.splat (f32.load (local.get $weight)))
                      (v128.load align=4 (local.get $value)))))
                (local.set $value (i32.add (local.get $value) (local.get $valueRowBytes)))
                (local.set $weight (i32.add (local.get $weight) (i32.const 4)))
                (local.set $column (i32.add (local.get $column) (i32.const 1)))
                (br $columnLoop)))
            (v128.store align=4
              (i32.add (local.get $mergedBlock) (i32.shl (local.get $index) (i32.const 2)))
              (local.get $sum0))
            (local.set $index (i32.add (local.get $index) (i32.const 4)))
            (br $fours)))
        (block $onesDone
          (loop $ones
            (br_if $onesDone (i32.ge_u (local.get $index) (local.get $headDimension)))
            (local.set $sum (f32.const 0))
            (local.set $value
              (i32.add (local.get $valueBlock) (i32.shl (local.get $index) (i32.const 2))))
            (local.set $weight (local.get $weightBlock))
            (local.set $column (i32.const 0))
            (block $columnsDone
              (loop $columnLoop
                (br_if $columnsDone (i32.ge_u (local.get $column) (local.get $live)))
                (local.set $sum
                  (f32.add (local.get $sum)
                    (f32.mul (f32.load (local.get $weight)) (f32.load (local.get $value)))))
                (local.set $value (i32.add (local.get $value) (local.get $valueRowBytes)))
                (local.set $weight (i32.add (local.get $weight) (i32.const 4)))
                (local.set $column (i32.add (local.get $column) (i32.const 1)))
                (br $columnLoop)))
            (f32.store
              (i32.add (local.get $mergedBlock) (i32.shl (local.get $index) (i32.const 2)))
              (local.get $sum))
            (local.set $index (i32.add (local.get $index) (i32.const 1)))
            (br $ones)))
        (local.set $block (i32.add (local.get $block) (i32.const 1)))
        (br $blockLoop))))

  ;; out[r, i] = (x[r, i] - mean_r) / sqrt(var_r + epsilon) over rows of `width` floats, with
  ;; mean_r and var_r (the mean of squared deviations) summed in order in float32, the arithmetic
  ;; of the tfjs ops that the training pass runs (so the two passes agree as before); four lanes
  ;; at a time for the output.
  (func (export "standardise")
    (param $x i32) (param $out i32) (param $rows i32) (param $width i32) (param $epsilon f32)
    (call $standardiseRows (local.get $x) (local.get $out) (i32.const 0) (local.get $rows)
      (local.get $width) (local.get $epsilon)))

;; sum = x + y (a residual connection), then out = standardise(sum): the residual stream and the
  ;; next LayerNorm's input in one kernel.
  (func (export "addStandardise")
    (param $x i32) (param $y i32) (param $sum i32) (param $out i32) (param $rows i32)
    (param $width i32) (param $epsilon f32)
    (local $index i32) (local $end i32) (local $bytes i32)
    (local.set $bytes (i32.shl (i32.mul (local.get $rows) (local.get $width)) (i32.const 2)))
    (local.set $end (i32.and (local.get $bytes) (i32.const -16)))
    (block $done (loop $vectors
      (br_if $done (i32.ge_u (local.get $index) (local.get $end)))
      (v128.store align=4 (i32.add (local.get $sum) (local.get $index))
        (f32x4.add (v128.load align=4 (i32.add (local.get $x) (local.get $index)))
          (v128.load align=4 (i32.add (local.get $y) (local.get $index)))))
      (local.set $index (i32.add (local.get $index) (i32.const 16)))
      (br $vectors)))
    (block $done (loop $tail
      (br_if $done (i32.ge_u (local.get $index) (local.get $bytes)))
      (f32.store (i32.add (local.get $sum) (local.get $index))
        (f32.add (f32.load (i32.add (local.get $x) (local.get $index)))
          (f32.load (i32.add (local.get $y) (local.get $index)))))
      (local.set $index (i32.add (local.get $index) (i32.const 4)))
      (br $tail)))
    (call $standardiseRows (local.get $sum) (local.get $out) (i32.const 0) (local.get $rows)
      (local.get $width) (local.get $epsilon)))

  ;; "standardise", also writing 1 / sqrt(var_r + epsilon) to inverse[r] when inverse is not 0.
  (func $standardiseRows
    (param $x i32) (param $out i32) (param $inverse i32) (param $rows i32) (param $width i32)
    (param $epsilon f32)
    (local $row i32) (local $index i32) (local $in i32) (local $to i32) (local $vectorEnd i32)
    (local $mean f32) (local $total f32) (local $deviation f32)
    (local $meanLanes v128) (local $scale f32) (local $scaleLanes v128) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    (local.set $vectorEnd (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
        (local.set $in (i32.add (local.get $x) (i32.mul (local.get $row) (local.get $rowBytes))))
        (local.set $to (i32.add (local.get $out) (i32.mul (local.get $row) (local.get $rowBytes))))
        ;; mean, summed in order in float32 as tfjs's Mean kernel does
        (local.set $total (f32.const 0))
        (local.set $index (i32.const 0))
        (block $done (loop $sum
          (br_if $done (i32.ge_u (local.get $index) (local.get $rowBytes)))
          (local.set $total
            (f32.add (local.get $total) (f32.load (i32.add (local.get $in) (local.get $index)))))
          (local.set $index (i32.add (local.get $index) (i32.const 4)))
          (br $sum)))
        (local.set $mean (f32.div (local.get $total) (f32.convert_i32_u (local.get $width))))
        (local.set $meanLanes (f32x4.splat (local.get $mean)))
        ;; variance: squared deviations summed in order in float32
        (local.set $total (f32.const 0))
        (local.set $index (i32.const 0))
        (block $done (loop $squares
          (br_if $done (i32.ge_u (local.get $index) (local.get $rowBytes)))
          (local.set $deviation
            (f32.sub (f32.load (i32.add (local.get $in) (local.get $index))) (local.get $mean)))
          (local.set $total
            (f32.add (local.get $total) (f32.mul (local.get $deviation) (local.get $deviation))))
          (local.set $index (i32.add (local.get $index) (i32.const 4)))
          (br $squares)))
        (local.set $scale
          (f32.div (f32.const 1)
            (f32.sqrt
              (f32.add
                (f32.div (local.get $total) (f32.convert_i32_u (local.get $width)))
                (local.get $epsilon)))))
        (if (local.get $inverse)
          (then
            (f32.store (i32.add (local.get $inverse) (i32.shl (local.get $row) (i32.const 2)))
              (local.get $scale))))
        (local.set $scaleLanes (f32x4.splat (local.get $scale)))
        ;; standardised values
        (local.set $index (i32.const 0))
        (block $done (loop $write
          (br_if $done (i32.ge_u (local.get $index) (local.get $vectorEnd)))
          (v128.store align=4 (i32.add (local.get $to) (local.get $index))
            (f32x4.mul
              (f32x4.sub (v128.load align=4 (i32.add (local.get $in) (local.get $index)))
                (local.get $meanLanes))
              (local.get $scaleLanes)))
          (local.set $index (i32.add (local.get $index) (i32.const 16)))
          (br $write)))
        (block $done (loop $writeTail
          (br_if $done (i32.ge_u (local.get $index) (local.get $rowBytes)))
          (f32.store (i32.add (local.get $to) (local.get $index))
            (f32.mul
              (f32.sub (f32.load (i32.add (local.get $in) (local.get $index))) (local.get $mean))
              (local.get $scale)))
          (local.set $index (i32.add (local.get $index) (i32.const 4)))
          (br $writeTail)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rowLoop))))


    ;; LayerNorm with gain and shift, for the training pass: per row of `width` floats,
  ;; normalised = standardise(x) (as "standardise" computes it), inverse[r] = 1 / sqrt(var_r +
  ;; epsilon), out = normalised * gain + bias. normalised and inverse are what the gradient needs.
  (func (export "layerNorm")
    (param $x i32) (param $gain i32) (param $bias i32) (param $out i32) (param $normalised i32)
    (param $inverse i32) (param $rows i32) (param $width i32) (param $epsilon f32)
    (local $row i32) (local $index i32) (local $rowBytes i32) (local $vectorEnd i32)
    (local $value v128)
    (call $standardiseRows (local.get $x) (local.get $normalised) (local.get $inverse)
      (local.get $rows) (local.get $width) (local.get $epsilon))
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    (local.set $vectorEnd (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2)))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $index (i32.const 0))
      (block $done (loop $vectors
        (br_if $done (i32.ge_u (local.get $index) (local.get $vectorEnd)))
        (v128.store align=4 (i32.add (local.get $out) (local.get $index))
          (f32x4.add
            (f32x4.mul (v128.load align=4 (i32.add (local.get $normalised) (local.get $index)))
              (v128.load align=4 (i32.add (local.get $gain) (local.get $index))))
            (v128.load align=4 (i32.add (local.get $bias) (local.get $index)))))
        (local.set $index (i32.add (local.get $index) (i32.const 16)))
        (br $vectors)))
      (block $done (loop $tail
        (br_if $done (i32.ge_u (local.get $index) (local.get $rowBytes)))
        (f32.store (i32.add (local.get $out) (local.get $index))
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $normalised) (local.get $index)))
              (f32.load (i32.add (local.get $gain) (local.get $index))))
            (f32.load (i32.add (local.get $bias) (local.get $index)))))
        (local.set $index (i32.add (local.get $index) (i32.const 4)))
        (br $tail)))
      (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
      (local.set $normalised (i32.add (local.get $normalised) (local.get $rowBytes)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rowLoop))))

  ;; LayerNorm's gradient from dy, the forward's normalised rows and inverse deviations, and the
  ;; gain: with dn = dy * gain, dx = inverse * (dn - mean(dn) - normalised * mean(dn * normalised))
  ;; per row (means summed in order in float32); dgain = column sums of dy * normalised and dbias =
  ;; column sums of dy, over rows in order.
  (func (export "layerNormGradient")
    (param $dy i32) (param $normalised i32) (param $inverse i32) (param $gain i32) (param $dx i32)
    (param $dgain i32) (param $dbias i32) (param $rows i32) (param $width i32)
    (local $row i32) (local $index i32) (local $rowBytes i32) (local $vectorEnd i32)
    (local $meanDn f32) (local $meanDnN f32) (local $dn f32) (local $scale f32)
    (local $dyLanes v128) (local $nLanes v128)
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    (local.set $vectorEnd (i32.shl (i32.and (local.get $width) (i32.const -4)) (i32.const 2)))
    (memory.fill (local.get $dgain) (i32.const 0) (local.get $rowBytes))
    (memory.fill (local.get $dbias) (i32.const 0) (local.get $rowBytes))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
      ;; the two row means
      (local.set $meanDn (f32.const 0))
      (local.set $meanDnN (f32.const 0))
      (local.set $index (i32.const 0))
      (block $done (loop $sums
        (br_if $done (i32.ge_u (local.get $index) (local.get $rowBytes)))
        (local.set $dn
          (f32.mul (f32.load (i32.add (local.get $dy) (local.get $index)))
            (f32.load (i32.add (local.get $gain) (local.get $index)))))
        (local.set $meanDn (f32.add (local.get $meanDn) (local.get $dn)))
        (local.set $meanDnN
          (f32.add (local.get $meanDnN)
            (f32.mul (local.get $dn) (f32.load (i32.add (local.get $normalised) (local.get $index))))))
        (local.set $index (i32.add (local.get $index) (i32.const 4)))
        (br $sums)))
      (local.set $meanDn (f32.div (local.get $meanDn) (f32.convert_i32_u (local.get $width))))
      (local.set $meanDnN (f32.div (local.get $meanDnN) (f32.convert_i32_u (local.get $width))))
      (local.set $scale (f32.load (i32.add (local.get $inverse) (i32.shl (local.get $row) (i32.const 2)))))
      ;; dx and the column sums
      (local.set $index (i32.const 0))
      (block $done (loop $vectors
        (br_if $done (i32.ge_u (local.get $index) (local.get $vectorEnd)))
        (local.set $dyLanes (v128.load align=4 (i32.add (local.get $dy) (local.get $index))))
        (local.set $nLanes (v128.load align=4 (i32.add (local.get $normalised) (local.get $index))))
        (v128.store align=4 (i32.add (local.get $dx) (local.get $index))
          (f32x4.mul (f32x4.splat (local.get $scale))
            (f32x4.sub
              (f32x4.sub
                (f32x4.mul (local.get $dyLanes) (v128.load align=4 (i32.add (local.get $gain) (local.get $index))))
                (f32x4.splat (local.get $meanDn)))
              (f32x4.mul (local.get $nLanes) (f32x4.splat (local.get $meanDnN))))))
        (v128.store align=4 (i32.add (local.get $dgain) (local.get $index))
          (f32x4.add (v128.load align=4 (i32.add (local.get $dgain) (local.get $index)))
            (f32x4.mul (local.get $dyLanes) (local.get $nLanes))))
        (v128.store align=4 (i32.add (local.get $dbias) (local.get $index))
          (f32x4.add (v128.load align=4 (i32.add (local.get $dbias) (local.get $index)))
            (local.get $dyLanes)))
        (local.set $index (i32.add (local.get $index) (i32.const 16)))
        (br $vectors)))
      (block $done (loop $tail
        (br_if $done (i32.ge_u (local.get $index) (local.get $rowBytes)))
        (f32.store (i32.add (local.get $dx) (local.get $index))
          (f32.mul (local.get $scale)
            (f32.sub
              (f32.sub
                (f32.mul (f32.load (i32.add (local.get $dy) (local.get $index)))
                  (f32.load (i32.add (local.get $gain) (local.get $index))))
                (local.get $meanDn))
              (f32.mul (f32.load (i32.add (local.get $normalised) (local.get $index)))
                (local.get $meanDnN)))))
        (f32.store (i32.add (local.get $dgain) (local.get $index))
          (f32.add (f32.load (i32.add (local.get $dgain) (local.get $index)))
            (f32.mul (f32.load (i32.add (local.get $dy) (local.get $index)))
              (f32.load (i32.add (local.get $normalised) (local.get $index))))))
        (f32.store (i32.add (local.get $dbias) (local.get $index))
          (f32.add (f32.load (i32.add (local.get $dbias) (local.get $index)))
            (f32.load (i32.add (local.get $dy) (local.get $index)))))
        (local.set $index (i32.add (local.get $index) (i32.const 4)))
        (br $tail)))
      (local.set $dy (i32.add (local.get $dy) (local.get $rowBytes)))
      (local.set $normalised (i32.add (local.get $normalised) (local.get $rowBytes)))
      (local.set $dx (i32.add (local.get $dx) (local.get $rowBytes)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rowLoop))))
)
