;; Kernels of our own that need e^x, on the memory of tfjs's wasm backend (imported), in 128-bit
;; SIMD: GELU (forward and gradient), causal attention for the training pass (forward and
;; gradient) and the softmax of a decode step's attention, so e^x has one home. A module of its own beside heap-kernels.wat (each stays under
;; 4 KB; see scripts/compile-wat.ts). Addresses are byte offsets into that memory; every array is
;; float32. Callers: heap-normalization.ts, heap-causal-attention.ts, heap-attention.ts.
(module
  (import "env" "memory" (memory 0))

  ;; a[i] = e^(a[i] + shift) for i < count (a multiple of 4, or at least 4), in place: the one
  ;; home of e^x, a loop of its own so that its body is inline in the loop (a call per four lanes
  ;; costs as much as the arithmetic). When count is not a multiple of 4, the last four values are
  ;; taken first, from the inputs, and stored after the loop over whole vectors (which overlaps
  ;; them, with the same results). Per lane, t = a[i] + shift is clamped to [-87, 88] (so 2^n stays a normal
  ;; float32), t = n ln 2 + r with n = nearest(t / ln 2) and |r| <= ln(2) / 2, e^r by its Taylor
  ;; polynomial to r^7 / 7! (relative error below 1e-8 before rounding), times 2^n built in the
  ;; exponent bits.
  (func $expInPlace (param $a i32) (param $count i32) (param $shift f32)
    (local $end i32) (local $at i32) (local $last i32) (local $tail i32) (local $pending i32)
    (local $lastVector v128) (local $t v128) (local $shifted v128) (local $n v128) (local $r v128)
    (local $p v128) (local $e v128)
    (local.set $end
      (i32.add (local.get $a) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (local.set $last (i32.add (local.get $a) (i32.shl (i32.sub (local.get $count) (i32.const 4)) (i32.const 2))))
    (local.set $tail (i32.ne (i32.and (local.get $count) (i32.const 3)) (i32.const 0)))
    (local.set $pending (local.get $tail))
    (local.set $at (select (local.get $last) (local.get $a) (local.get $tail)))
    (block $done (loop $vectors
      (br_if $done
        (i32.and (i32.eqz (local.get $pending)) (i32.ge_u (local.get $at) (local.get $end))))
      (local.set $t
        (f32x4.min
          (f32x4.max (f32x4.add (v128.load align=4 (local.get $at)) (f32x4.splat (local.get $shift)))
            (v128.const f32x4 -87 -87 -87 -87))
          (v128.const f32x4 88 88 88 88)))
      ;; t / ln 2 + 1.5 * 2^23 rounds to the integer n (to nearest, ties to even) in the low
      ;; mantissa bits, so n and 2^n need no float-to-integer conversion.
      (local.set $shifted
        (f32x4.add
          (f32x4.mul (local.get $t) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))
          (v128.const f32x4 12582912 12582912 12582912 12582912)))
      (local.set $n (f32x4.sub (local.get $shifted) (v128.const f32x4 12582912 12582912 12582912 12582912)))
      ;; ln 2 in two parts, so n * ln2_high is exact for |n| < 2^8.
      (local.set $r
        (f32x4.sub
          (f32x4.sub (local.get $t)
            (f32x4.mul (local.get $n) (v128.const f32x4 0.693145752 0.693145752 0.693145752 0.693145752)))
          (f32x4.mul (local.get $n)
            (v128.const f32x4 1.42860677e-6 1.42860677e-6 1.42860677e-6 1.42860677e-6))))
      (local.set $p (v128.const f32x4 1.98412698e-4 1.98412698e-4 1.98412698e-4 1.98412698e-4))
      (local.set $p (f32x4.add (v128.const f32x4 0.00138888889 0.00138888889 0.00138888889 0.00138888889) (f32x4.mul (local.get $r) (local.get $p))))
      (local.set $p (f32x4.add (v128.const f32x4 0.00833333333 0.00833333333 0.00833333333 0.00833333333) (f32x4.mul (local.get $r) (local.get $p))))
      (local.set $p (f32x4.add (v128.const f32x4 0.0416666667 0.0416666667 0.0416666667 0.0416666667) (f32x4.mul (local.get $r) (local.get $p))))
      (local.set $p (f32x4.add (v128.const f32x4 0.166666667 0.166666667 0.166666667 0.166666667) (f32x4.mul (local.get $r) (local.get $p))))
      (local.set $p (f32x4.add (v128.const f32x4 0.5 0.5 0.5 0.5) (f32x4.mul (local.get $r) (local.get $p))))
      (local.set $p (f32x4.add (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $r) (local.get $p))))
      (local.set $p (f32x4.add (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $r) (local.get $p))))
      ;; 2^n: the exponent field n + 127, from the bits of shifted (0x4B400000 + n).
      (local.set $e
        (f32x4.mul (local.get $p)
          (i32x4.shl
            (i32x4.add (local.get $shifted)
              (v128.const i32x4 -1262485377 -1262485377 -1262485377 -1262485377))
            (i32.const 23))))
      (if (local.get $pending)
        (then
          (local.set $lastVector (local.get $e))
          (local.set $pending (i32.const 0))
          (local.set $at (local.get $a)))
        (else
          (v128.store align=4 (local.get $at) (local.get $e))
          (local.set $at (i32.add (local.get $at) (i32.const 16)))))
      (br $vectors)))
    (if (local.get $tail) (then (v128.store align=4 (local.get $last) (local.get $lastVector)))))

  ;; Each run of `columns` scores becomes its softmax, in place, for `rows` runs, from column
  ;; starts[r / heads] of run r on (starts: int32, one per `heads` runs; at least 4 columns from
  ;; there): the maximum, e^(score - maximum), their sum in order in float32, and each weight times
  ;; 1 / sum. The columns before a run's start are left as they are.
  (func (export "softmaxRows")
    (param $scores i32) (param $rows i32) (param $columns i32) (param $starts i32) (param $heads i32)
    (local $row i32) (local $first i32) (local $rowEnd i32) (local $at i32) (local $largest f32)
    (local $total f32)
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
      (local.set $first
        (i32.add (local.get $scores)
          (i32.shl
            (i32.add (i32.mul (local.get $row) (local.get $columns))
              (i32.load
                (i32.add (local.get $starts)
                  (i32.shl (i32.div_u (local.get $row) (local.get $heads)) (i32.const 2)))))
            (i32.const 2))))
      (local.set $rowEnd
        (i32.add (local.get $scores)
          (i32.shl (i32.mul (i32.add (local.get $row) (i32.const 1)) (local.get $columns)) (i32.const 2))))
      (local.set $largest (f32.const -inf))
      (local.set $at (local.get $first))
      (block $done (loop $maximum
        (br_if $done (i32.ge_u (local.get $at) (local.get $rowEnd)))
        (local.set $largest (f32.max (local.get $largest) (f32.load (local.get $at))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $maximum)))
      (call $expInPlace (local.get $first)
        (i32.shr_u (i32.sub (local.get $rowEnd) (local.get $first)) (i32.const 2))
        (f32.neg (local.get $largest)))
      (local.set $total (f32.const 0))
      (local.set $at (local.get $first))
      (block $done (loop $sum
        (br_if $done (i32.ge_u (local.get $at) (local.get $rowEnd)))
        (local.set $total (f32.add (local.get $total) (f32.load (local.get $at))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $sum)))
      (local.set $total (f32.div (f32.const 1) (local.get $total)))
      (local.set $at (local.get $first))
      (block $done (loop $scale
        (br_if $done (i32.ge_u (local.get $at) (local.get $rowEnd)))
        (f32.store (local.get $at) (f32.mul (f32.load (local.get $at)) (local.get $total)))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $scale)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $rowLoop))))

  ;; GELU's tanh form, x * s with the gate s = sigmoid(x (a + b x^2)) (see normalization.ts), with
  ;; the constants a and b given there, for i < count (a multiple of 4), in three passes: gate[i] =
  ;; -x (a + b x^2); gate = e^gate; gate[i] = 1 / (1 + gate[i]) and out[i] = x[i] * gate[i]. The
  ;; training pass keeps the gate, so its gradient needs no exponential; "gelu" passes out as the
  ;; gate, so both passes compute the same numbers.
  (func $geluWithGate (export "geluWithGate")
    (param $x i32) (param $out i32) (param $gate i32) (param $count i32) (param $a f32) (param $b f32)
    (local $index i32) (local $end i32) (local $lanes v128) (local $s v128)
    (local.set $end (i32.shl (local.get $count) (i32.const 2)))
    (block $done (loop $arguments
      (br_if $done (i32.ge_u (local.get $index) (local.get $end)))
      (local.set $lanes (v128.load align=4 (i32.add (local.get $x) (local.get $index))))
      (v128.store align=4 (i32.add (local.get $gate) (local.get $index))
        (f32x4.neg
          (f32x4.mul (local.get $lanes)
            (f32x4.add (f32x4.splat (local.get $a))
              (f32x4.mul (f32x4.splat (local.get $b)) (f32x4.mul (local.get $lanes) (local.get $lanes)))))))
      (local.set $index (i32.add (local.get $index) (i32.const 16)))
      (br $arguments)))
    (call $expInPlace (local.get $gate) (local.get $count) (f32.const 0))
    (local.set $index (i32.const 0))
    (block $done (loop $gates
      (br_if $done (i32.ge_u (local.get $index) (local.get $end)))
      (local.set $s
        (f32x4.div (v128.const f32x4 1 1 1 1)
          (f32x4.add (v128.const f32x4 1 1 1 1) (v128.load align=4 (i32.add (local.get $gate) (local.get $index))))))
      (v128.store align=4 (i32.add (local.get $gate) (local.get $index)) (local.get $s))
      (v128.store align=4 (i32.add (local.get $out) (local.get $index))
        (f32x4.mul (v128.load align=4 (i32.add (local.get $x) (local.get $index))) (local.get $s)))
      (local.set $index (i32.add (local.get $index) (i32.const 16)))
      (br $gates))))

  (func (export "gelu")
    (param $x i32) (param $out i32) (param $count i32) (param $a f32) (param $b f32)
    (call $geluWithGate (local.get $x) (local.get $out) (local.get $out) (local.get $count)
      (local.get $a) (local.get $b)))

  ;; dx[i] = dy[i] * gelu'(x[i]) from the forward's gate s: gelu'(x) = s + x s (1 - s) (a + 3 b x^2),
  ;; for i < count (a multiple of 4).
  (func (export "geluGradient")
    (param $x i32) (param $gate i32) (param $dy i32) (param $dx i32) (param $count i32)
    (param $a f32) (param $b f32)
    (local $index i32) (local $end i32) (local $lanes v128) (local $s v128)
    (local.set $end (i32.shl (local.get $count) (i32.const 2)))
    (block $done (loop $vectors
      (br_if $done (i32.ge_u (local.get $index) (local.get $end)))
      (local.set $lanes (v128.load align=4 (i32.add (local.get $x) (local.get $index))))
      (local.set $s (v128.load align=4 (i32.add (local.get $gate) (local.get $index))))
      (v128.store align=4 (i32.add (local.get $dx) (local.get $index))
        (f32x4.mul (v128.load align=4 (i32.add (local.get $dy) (local.get $index)))
          (f32x4.add (local.get $s)
            (f32x4.mul
              (f32x4.mul (local.get $lanes)
                (f32x4.mul (local.get $s) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $s))))
              (f32x4.add (f32x4.splat (local.get $a))
                (f32x4.mul (v128.const f32x4 3 3 3 3)
                  (f32x4.mul (f32x4.splat (local.get $b)) (f32x4.mul (local.get $lanes) (local.get $lanes)))))))))
      (local.set $index (i32.add (local.get $index) (i32.const 16)))
      (br $vectors))))

  ;; out[s] = sum_i a[i] * row_s[i] for s < count, where row s starts at rows + s * rowBytes and
  ;; has `bytes` bytes (a multiple of 16): four lanes at a time, the lanes' sums added last. One
  ;; call per query rather than per key, so the call's cost is not paid per product.
  (func $dots (param $a i32) (param $rows i32) (param $rowBytes i32) (param $count i32) (param $bytes i32)
    (param $out i32)
    (local $end i32) (local $index i32) (local $sum v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_u (local.get $out) (local.get $end)))
      (local.set $sum (v128.const i32x4 0 0 0 0))
      (local.set $index (i32.const 0))
      (block $done (loop $lanes
        (br_if $done (i32.ge_u (local.get $index) (local.get $bytes)))
        (local.set $sum
          (f32x4.add (local.get $sum)
            (f32x4.mul (v128.load align=4 (i32.add (local.get $a) (local.get $index)))
              (v128.load align=4 (i32.add (local.get $rows) (local.get $index))))))
        (local.set $index (i32.add (local.get $index) (i32.const 16)))
        (br $lanes)))
      (f32.store (local.get $out)
        (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $sum)) (f32x4.extract_lane 1 (local.get $sum)))
          (f32.add (f32x4.extract_lane 2 (local.get $sum)) (f32x4.extract_lane 3 (local.get $sum)))))
      (local.set $rows (i32.add (local.get $rows) (local.get $rowBytes)))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (br $rowLoop))))

  ;; out = sum_s weights[s] * row_s for s < count (rows as in $dots), over `bytes` bytes.
  (func $weightedSum (param $out i32) (param $rows i32) (param $rowBytes i32) (param $weights i32)
    (param $count i32) (param $bytes i32)
    (local $end i32) (local $index i32) (local $weight v128)
    (call $zero (local.get $out) (local.get $bytes))
    (local.set $end (i32.add (local.get $weights) (i32.shl (local.get $count) (i32.const 2))))
    (block $rowsDone (loop $rowLoop
      (br_if $rowsDone (i32.ge_u (local.get $weights) (local.get $end)))
      (local.set $weight (v128.load32_splat align=4 (local.get $weights)))
      (local.set $index (i32.const 0))
      (block $done (loop $lanes
        (br_if $done (i32.ge_u (local.get $index) (local.get $bytes)))
        (v128.store align=4 (i32.add (local.get $out) (local.get $index))
          (f32x4.add (v128.load align=4 (i32.add (local.get $out) (local.get $index)))
            (f32x4.mul (local.get $weight) (v128.load align=4 (i32.add (local.get $rows) (local.get $index))))))
        (local.set $index (i32.add (local.get $index) (i32.const 16)))
        (br $lanes)))
      (local.set $rows (i32.add (local.get $rows) (local.get $rowBytes)))
      (local.set $weights (i32.add (local.get $weights) (i32.const 4)))
      (br $rowLoop))))

  ;; Zeroes `bytes` bytes (a multiple of 16) from `at`.
  (func $zero (param $at i32) (param $bytes i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $at) (local.get $bytes)))
    (block $done (loop $vectors
      (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
      (v128.store align=4 (local.get $at) (v128.const i32x4 0 0 0 0))
      (local.set $at (i32.add (local.get $at) (i32.const 16)))
      (br $vectors))))

  ;; Where query t of row b finds its bias: row (t, b) of the mask [time, batch, time].
  (func $biasRow (param $bias i32) (param $t i32) (param $b i32) (param $batch i32) (param $time i32)
    (result i32)
    (i32.add (local.get $bias)
      (i32.shl
        (i32.mul (i32.add (i32.mul (local.get $t) (local.get $batch)) (local.get $b)) (local.get $time))
        (i32.const 2))))

  ;; Where query t of row b and head h keeps its probabilities: row ((b, h), t), of `stride` floats.
  (func $probabilityRow (param $probabilities i32) (param $stride i32) (param $b i32) (param $h i32)
    (param $t i32) (param $heads i32) (param $time i32) (result i32)
    (i32.add (local.get $probabilities)
      (i32.shl
        (i32.mul
          (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $heads)) (local.get $h)) (local.get $time))
            (local.get $t))
          (local.get $stride))
        (i32.const 2))))

  ;; The last key query t attends to, from its bias row: t when it sees its own column, else
  ;; time - 1 (see "attendCausal").
  (func $lastKey (param $biasRow i32) (param $t i32) (param $time i32) (result i32)
    (select (local.get $t) (i32.sub (local.get $time) (i32.const 1))
      (f32.gt (f32.load (i32.add (local.get $biasRow) (i32.shl (local.get $t) (i32.const 2))))
        (f32.const -1e8))))

  ;; Causal attention within rows, for the training pass. queries (scaled), keys, values and
  ;; merged are [batch * time, heads * headDimension] (headDimension a multiple of 4); bias is the
  ;; additive mask [time, batch, time] (query first), which must hide every key after its query
  ;; (-1e9, so that e^(score - max) is 0 there). For each row b, head h and query t,
  ;;   p[s] = softmax_s(q_t . k_s + bias[t, b, s])      probabilities[(b, h, t), s], rows of `stride` floats
  ;;   merged[b * time + t, head h] = sum_s p[s] v_s
  ;; over keys s <= last only, which leaves out keys whose p is 0: last = t when the query sees its
  ;; own column (bias above -1e8); otherwise (left padding: every key is hidden) last = time - 1,
  ;; the whole row, as a softmax over all keys has it.
  (func (export "attendCausal")
    (param $queries i32) (param $keys i32) (param $values i32) (param $bias i32) (param $merged i32)
    (param $probabilities i32) (param $stride i32) (param $batch i32) (param $time i32)
    (param $heads i32) (param $headDimension i32)
    (local $rowBytes i32) (local $headBytes i32) (local $b i32) (local $h i32) (local $t i32)
    (local $s i32) (local $query i32) (local $keyBase i32) (local $valueBase i32) (local $p i32)
    (local $biasRow i32) (local $out i32) (local $max f32) (local $score f32) (local $total v128)
    (local $e v128) (local $last i32) (local $end i32)
    (local.set $headBytes (i32.shl (local.get $headDimension) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $headBytes) (local.get $heads)))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $h (i32.const 0))
      (block $headsDone (loop $headLoop
        (br_if $headsDone (i32.ge_u (local.get $h) (local.get $heads)))
        (local.set $keyBase
          (i32.add (local.get $keys)
            (i32.add (i32.mul (i32.mul (local.get $b) (local.get $time)) (local.get $rowBytes))
              (i32.mul (local.get $h) (local.get $headBytes)))))
        (local.set $valueBase (i32.add (local.get $values) (i32.sub (local.get $keyBase) (local.get $keys))))
        (local.set $t (i32.const 0))
        (block $queriesDone (loop $queryLoop
          (br_if $queriesDone (i32.ge_u (local.get $t) (local.get $time)))
          (local.set $query
            (i32.add (local.get $queries)
              (i32.add (i32.sub (local.get $keyBase) (local.get $keys))
                (i32.mul (local.get $t) (local.get $rowBytes)))))
          (local.set $p
            (call $probabilityRow (local.get $probabilities) (local.get $stride) (local.get $b) (local.get $h)
              (local.get $t) (local.get $heads) (local.get $time)))
          (local.set $biasRow
            (call $biasRow (local.get $bias) (local.get $t) (local.get $b) (local.get $batch) (local.get $time)))
          (local.set $last (call $lastKey (local.get $biasRow) (local.get $t) (local.get $time)))
          ;; scores and their maximum
          (call $dots (local.get $query) (local.get $keyBase) (local.get $rowBytes)
            (i32.add (local.get $last) (i32.const 1)) (local.get $headBytes) (local.get $p))
          (local.set $max (f32.const -inf))
          (local.set $s (i32.const 0))
          (block $scoresDone (loop $scores
            (br_if $scoresDone (i32.gt_u (local.get $s) (local.get $last)))
            (local.set $score
              (f32.add (f32.load (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2))))
                (f32.load (i32.add (local.get $biasRow) (i32.shl (local.get $s) (i32.const 2))))))
            (f32.store (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2))) (local.get $score))
            (local.set $max (f32.max (local.get $max) (local.get $score)))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (br $scores)))
          ;; e^(score - max) up to last, then zeroes to the vector's end (the row's stride is a
          ;; multiple of 4), and their sum
          (local.set $end (i32.and (i32.add (local.get $last) (i32.const 4)) (i32.const -4)))
          (call $expInPlace (local.get $p) (local.get $end) (f32.neg (local.get $max)))
          (local.set $s (i32.add (local.get $last) (i32.const 1)))
          (block $zeroesDone (loop $zeroes
            (br_if $zeroesDone (i32.ge_u (local.get $s) (local.get $end)))
            (f32.store (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2))) (f32.const 0))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (br $zeroes)))
          (local.set $total (v128.const i32x4 0 0 0 0))
          (local.set $s (i32.const 0))
          (block $sumDone (loop $sum
            (br_if $sumDone (i32.ge_u (local.get $s) (local.get $end)))
            (local.set $total
              (f32x4.add (local.get $total) (v128.load align=4 (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2))))))
            (local.set $s (i32.add (local.get $s) (i32.const 4)))
            (br $sum)))
          (local.set $e
            (f32x4.splat
              (f32.add
                (f32.add (f32x4.extract_lane 0 (local.get $total)) (f32x4.extract_lane 1 (local.get $total)))
                (f32.add (f32x4.extract_lane 2 (local.get $total)) (f32x4.extract_lane 3 (local.get $total))))))
          ;; normalise, and merged = sum_s p[s] v_s
          (local.set $out
            (i32.add (local.get $merged) (i32.sub (local.get $query) (local.get $queries))))
          (local.set $s (i32.const 0))
          (block $normalisedDone (loop $normalise
            (br_if $normalisedDone (i32.gt_u (local.get $s) (local.get $last)))
            (v128.store align=4 (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2)))
              (f32x4.div (v128.load align=4 (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2))))
                (local.get $e)))
            (local.set $s (i32.add (local.get $s) (i32.const 4)))
            (br $normalise)))
          (call $weightedSum (local.get $out) (local.get $valueBase) (local.get $rowBytes) (local.get $p)
            (i32.add (local.get $last) (i32.const 1)) (local.get $headBytes))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $queryLoop)))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $headLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $rows))))

  ;; The gradient of "attendCausal" from dMerged, its probabilities and bias: for each row, head
  ;; and query t, with dp[s] = dMerged_t . v_s and c = sum_s p[s] dp[s] (s <= last, as there),
  ;;   ds = p[s] (dp[s] - c);  dQueries_t = sum_s ds k_s;  dKeys_s += ds q_t;  dValues_s += p[s] dMerged_t.
  ;; scratch holds one query's dp (time floats).
  (func (export "attendCausalGradient")
    (param $dMerged i32) (param $queries i32) (param $keys i32) (param $values i32)
    (param $probabilities i32) (param $bias i32) (param $dQueries i32) (param $dKeys i32) (param $dValues i32)
    (param $scratch i32) (param $stride i32) (param $batch i32) (param $time i32) (param $heads i32)
    (param $headDimension i32)
    (local $rowBytes i32) (local $headBytes i32) (local $b i32) (local $h i32) (local $t i32)
    (local $s i32) (local $offset i32) (local $keyOffset i32) (local $p i32) (local $c f32)
    (local $weight f32) (local $ds f32) (local $last i32) (local $index i32)
    (local $at i32) (local $keyAt i32) (local $dsLanes v128) (local $weightLanes v128)
    (local.set $headBytes (i32.shl (local.get $headDimension) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $headBytes) (local.get $heads)))
    (call $zero (local.get $dKeys) (i32.mul (i32.mul (local.get $batch) (local.get $time)) (local.get $rowBytes)))
    (call $zero (local.get $dValues) (i32.mul (i32.mul (local.get $batch) (local.get $time)) (local.get $rowBytes)))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $h (i32.const 0))
      (block $headsDone (loop $headLoop
        (br_if $headsDone (i32.ge_u (local.get $h) (local.get $heads)))
        (local.set $t (i32.const 0))
        (block $queriesDone (loop $queryLoop
          (br_if $queriesDone (i32.ge_u (local.get $t) (local.get $time)))
          ;; byte offset of (row b, column t, head h) in every [batch * time, d] array
          (local.set $offset
            (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $time)) (local.get $t)) (local.get $rowBytes))
              (i32.mul (local.get $h) (local.get $headBytes))))
          (local.set $p
            (call $probabilityRow (local.get $probabilities) (local.get $stride) (local.get $b) (local.get $h)
              (local.get $t) (local.get $heads) (local.get $time)))
          (local.set $last
            (call $lastKey
              (call $biasRow (local.get $bias) (local.get $t) (local.get $b) (local.get $batch) (local.get $time))
              (local.get $t) (local.get $time)))
          (call $dots (i32.add (local.get $dMerged) (local.get $offset))
            (i32.add (local.get $values) (i32.sub (local.get $offset) (i32.mul (local.get $t) (local.get $rowBytes))))
            (local.get $rowBytes) (i32.add (local.get $last) (i32.const 1)) (local.get $headBytes) (local.get $scratch))
          (local.set $c (f32.const 0))
          (local.set $s (i32.const 0))
          (block $weightsDone (loop $weights
            (br_if $weightsDone (i32.gt_u (local.get $s) (local.get $last)))
            (local.set $c
              (f32.add (local.get $c)
                (f32.mul (f32.load (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2))))
                  (f32.load (i32.add (local.get $scratch) (i32.shl (local.get $s) (i32.const 2)))))))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (br $weights)))
          (call $zero (i32.add (local.get $dQueries) (local.get $offset)) (local.get $headBytes))
          (local.set $s (i32.const 0))
          (block $sumsDone (loop $sums
            (br_if $sumsDone (i32.gt_u (local.get $s) (local.get $last)))
            (local.set $keyOffset
              (i32.sub (local.get $offset) (i32.mul (i32.sub (local.get $t) (local.get $s)) (local.get $rowBytes))))
            (local.set $weight (f32.load (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 2)))))
            (local.set $ds
              (f32.mul (local.get $weight)
                (f32.sub (f32.load (i32.add (local.get $scratch) (i32.shl (local.get $s) (i32.const 2)))) (local.get $c))))
            ;; the three sums in one pass over the head's lanes
            (local.set $dsLanes (f32x4.splat (local.get $ds)))
            (local.set $weightLanes (f32x4.splat (local.get $weight)))
            (local.set $index (i32.const 0))
            (block $lanesDone (loop $lanes
              (br_if $lanesDone (i32.ge_u (local.get $index) (local.get $headBytes)))
              (local.set $at (i32.add (local.get $offset) (local.get $index)))
              (local.set $keyAt (i32.add (local.get $keyOffset) (local.get $index)))
              (v128.store align=4 (i32.add (local.get $dQueries) (local.get $at))
                (f32x4.add (v128.load align=4 (i32.add (local.get $dQueries) (local.get $at)))
                  (f32x4.mul (local.get $dsLanes) (v128.load align=4 (i32.add (local.get $keys) (local.get $keyAt))))))
              (v128.store align=4 (i32.add (local.get $dKeys) (local.get $keyAt))
                (f32x4.add (v128.load align=4 (i32.add (local.get $dKeys) (local.get $keyAt)))
                  (f32x4.mul (local.get $dsLanes) (v128.load align=4 (i32.add (local.get $queries) (local.get $at))))))
              (v128.store align=4 (i32.add (local.get $dValues) (local.get $keyAt))
                (f32x4.add (v128.load align=4 (i32.add (local.get $dValues) (local.get $keyAt)))
                  (f32x4.mul (local.get $weightLanes) (v128.load align=4 (i32.add (local.get $dMerged) (local.get $at))))))
              (local.set $index (i32.add (local.get $index) (i32.const 16)))
              (br $lanes)))
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (br $sums)))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $queryLoop)))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $headLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $rows))))
)
