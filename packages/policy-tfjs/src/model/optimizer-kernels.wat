;; Adam(W)'s update of one variable in one kernel, on the memory of tfjs's wasm backend
;; (imported), in 128-bit SIMD: the operations of PolicyOptimizer's tfjs ops in the same order,
;; each rounded to float32 as theirs are, so the results are the same bit for bit. A module of its
;; own beside heap-kernels.wat (each stays under 4 KB; see scripts/compile-wat.ts).
(module
  (import "env" "memory" (memory 0))

  ;; For i < count, with g = gradient[i] * clipScale:
  ;;   m' = m * beta1 + g * oneMinusBeta1
  ;;   v' = v * beta2 + (g * g) * oneMinusBeta2
  ;;   u  = (m' * stepSize) / (sqrt(v' / secondCorrection) + epsilon)   [+ param * decay if decays]
  ;;   param' = param - u
  (func (export "adam")
    (param $param i32) (param $gradient i32) (param $first i32) (param $second i32)
    (param $newParam i32) (param $newFirst i32) (param $newSecond i32) (param $count i32)
    (param $clipScale f32) (param $beta1 f32) (param $oneMinusBeta1 f32) (param $beta2 f32)
    (param $oneMinusBeta2 f32) (param $stepSize f32) (param $secondCorrection f32)
    (param $epsilon f32) (param $decay f32) (param $decays i32)
    (local $index i32) (local $end i32) (local $bytes i32)
    (local $g v128) (local $m v128) (local $v v128) (local $u v128)
    (local.set $bytes (i32.shl (local.get $count) (i32.const 2)))
    (local.set $end (i32.and (local.get $bytes) (i32.const -16)))
    (block $done (loop $vectors
      (br_if $done (i32.ge_u (local.get $index) (local.get $end)))
      (local.set $g
        (f32x4.mul (v128.load align=4 (i32.add (local.get $gradient) (local.get $index)))
          (f32x4.splat (local.get $clipScale))))
      (local.set $m
        (f32x4.add
          (f32x4.mul (v128.load align=4 (i32.add (local.get $first) (local.get $index)))
            (f32x4.splat (local.get $beta1)))
          (f32x4.mul (local.get $g) (f32x4.splat (local.get $oneMinusBeta1)))))
      (local.set $v
        (f32x4.add
          (f32x4.mul (v128.load align=4 (i32.add (local.get $second) (local.get $index)))
            (f32x4.splat (local.get $beta2)))
          (f32x4.mul (f32x4.mul (local.get $g) (local.get $g)) (f32x4.splat (local.get $oneMinusBeta2)))))
      (local.set $u
        (f32x4.div (f32x4.mul (local.get $m) (f32x4.splat (local.get $stepSize)))
          (f32x4.add
            (f32x4.sqrt (f32x4.div (local.get $v) (f32x4.splat (local.get $secondCorrection))))
            (f32x4.splat (local.get $epsilon)))))
      (if (local.get $decays)
        (then
          (local.set $u
            (f32x4.add (local.get $u)
              (f32x4.mul (v128.load align=4 (i32.add (local.get $param) (local.get $index)))
                (f32x4.splat (local.get $decay)))))))
      (v128.store align=4 (i32.add (local.get $newParam) (local.get $index))
        (f32x4.sub (v128.load align=4 (i32.add (local.get $param) (local.get $index))) (local.get $u)))
      (v128.store align=4 (i32.add (local.get $newFirst) (local.get $index)) (local.get $m))
      (v128.store align=4 (i32.add (local.get $newSecond) (local.get $index)) (local.get $v))
      (local.set $index (i32.add (local.get $index) (i32.const 16)))
      (br $vectors)))
    (block $done (loop $tail
      (br_if $done (i32.ge_u (local.get $index) (local.get $bytes)))
      (local.set $g
        (f32x4.mul (f32x4.splat (f32.load (i32.add (local.get $gradient) (local.get $index))))
          (f32x4.splat (local.get $clipScale))))
      (local.set $m
        (f32x4.add
          (f32x4.mul (f32x4.splat (f32.load (i32.add (local.get $first) (local.get $index))))
            (f32x4.splat (local.get $beta1)))
          (f32x4.mul (local.get $g) (f32x4.splat (local.get $oneMinusBeta1)))))
      (local.set $v
        (f32x4.add
          (f32x4.mul (f32x4.splat (f32.load (i32.add (local.get $second) (local.get $index))))
            (f32x4.splat (local.get $beta2)))
          (f32x4.mul (f32x4.mul (local.get $g) (local.get $g)) (f32x4.splat (local.get $oneMinusBeta2)))))
      (local.set $u
        (f32x4.div (f32x4.mul (local.get $m) (f32x4.splat (local.get $stepSize)))
          (f32x4.add
            (f32x4.sqrt (f32x4.div (local.get $v) (f32x4.splat (local.get $secondCorrection))))
            (f32x4.splat (local.get $epsilon)))))
      (if (local.get $decays)
        (then
          (local.set $u
            (f32x4.add (local.get $u)
              (f32x4.mul (f32x4.splat (f32.load (i32.add (local.get $param) (local.get $index))))
                (f32x4.splat (local.get $decay)))))))
      (f32.store (i32.add (local.get $newParam) (local.get $index))
        (f32.sub (f32.load (i32.add (local.get $param) (local.get $index)))
          (f32x4.extract_lane 0 (local.get $u))))
      (f32.store (i32.add (local.get $newFirst) (local.get $index)) (f32x4.extract_lane 0 (local.get $m)))
      (f32.store (i32.add (local.get $newSecond) (local.get $index)) (f32x4.extract_lane 0 (local.get $v)))
      (local.set $index (i32.add (local.get $index) (i32.const 4)))
      (br $tail))))
;; sum_i fround(x[i] * x[i]) over i < count, accumulated in order in float32 (as tfjs's Sum of
  ;; a Square does), for the gradients' global norm without two kernels per variable.
  (func (export "sumOfSquares") (param $x i32) (param $count i32) (result f32)
    (local $end i32) (local $total f32) (local $value f32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $count) (i32.const 2))))
    (block $done (loop $values
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $value (f32.load (local.get $x)))
      (local.set $total (f32.add (local.get $total) (f32.mul (local.get $value) (local.get $value))))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (br $values)))
    (local.get $total))
)
