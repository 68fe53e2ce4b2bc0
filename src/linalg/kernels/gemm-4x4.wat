;; GEMM microkernel and macro-kernel, WebAssembly SIMD (f64x2), MR = 4 rows x NR = 4 columns.
;;
;; Memory is imported (shared, so worker threads can run the same code on the same buffers).
;; All matrices are row-major doubles; every address argument is in ELEMENTS (converted to bytes
;; here), every block is padded by the driver to whole MR x NR tiles, so there are no edge tiles.
;;
;; Packed layouts (BLIS): an A micro-panel holds MR rows over kc steps, MR doubles per step;
;; a B micro-panel holds NR columns over kc steps, NR doubles per step.
;;
;; $ukernel: C tile := beta * C + Apanel * Bpanel   (beta == 0: C is not read).
;; The sum over p runs in order p = 0 .. kc-1 with a separate multiply and add per term, exactly
;; like the TypeScript reference kernel (kernels/ref.ts), so the two agree bit for bit.
(module
  (import "env" "memory" (memory 1 65536 shared))
  ;; C tile (4 x 4 at byte address pc, row stride ldcb bytes) := beta*C + sum_p a_p b_p^T
  (func $ukernel (param $kc i32) (param $pa i32) (param $pb i32) (param $pc i32) (param $ldcb i32) (param $beta f64)
    (local $a v128) (local $b0 v128) (local $b1 v128) (local $end i32) (local $bb v128) (local $row i32)
    (local $c0_0 v128) (local $c0_1 v128) (local $c1_0 v128) (local $c1_1 v128) (local $c2_0 v128) (local $c2_1 v128) (local $c3_0 v128) (local $c3_1 v128)
    (local.set $end (i32.add (local.get $pa) (i32.mul (local.get $kc) (i32.const 32))))
    (if (i32.gt_s (local.get $kc) (i32.const 0)) (then
    (loop $k
      (local.set $b0 (v128.load offset=0 (local.get $pb)))
      (local.set $b1 (v128.load offset=16 (local.get $pb)))
      (local.set $a (v128.load64_splat offset=0 (local.get $pa)))
      (local.set $c0_0 (f64x2.add (local.get $c0_0) (f64x2.mul (local.get $a) (local.get $b0))))
      (local.set $c0_1 (f64x2.add (local.get $c0_1) (f64x2.mul (local.get $a) (local.get $b1))))
      (local.set $a (v128.load64_splat offset=8 (local.get $pa)))
      (local.set $c1_0 (f64x2.add (local.get $c1_0) (f64x2.mul (local.get $a) (local.get $b0))))
      (local.set $c1_1 (f64x2.add (local.get $c1_1) (f64x2.mul (local.get $a) (local.get $b1))))
      (local.set $a (v128.load64_splat offset=16 (local.get $pa)))
      (local.set $c2_0 (f64x2.add (local.get $c2_0) (f64x2.mul (local.get $a) (local.get $b0))))
      (local.set $c2_1 (f64x2.add (local.get $c2_1) (f64x2.mul (local.get $a) (local.get $b1))))
      (local.set $a (v128.load64_splat offset=24 (local.get $pa)))
      (local.set $c3_0 (f64x2.add (local.get $c3_0) (f64x2.mul (local.get $a) (local.get $b0))))
      (local.set $c3_1 (f64x2.add (local.get $c3_1) (f64x2.mul (local.get $a) (local.get $b1))))
      (local.set $pa (i32.add (local.get $pa) (i32.const 32)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (br_if $k (i32.lt_u (local.get $pa) (local.get $end)))))
    )
    (if (f64.eq (local.get $beta) (f64.const 0)) (then
      (local.set $row (i32.add (local.get $pc) (i32.mul (local.get $ldcb) (i32.const 0))))
      (v128.store offset=0 (local.get $row) (local.get $c0_0))
      (v128.store offset=16 (local.get $row) (local.get $c0_1))
      (local.set $row (i32.add (local.get $pc) (i32.mul (local.get $ldcb) (i32.const 1))))
      (v128.store offset=0 (local.get $row) (local.get $c1_0))
      (v128.store offset=16 (local.get $row) (local.get $c1_1))
      (local.set $row (i32.add (local.get $pc) (i32.mul (local.get $ldcb) (i32.const 2))))
      (v128.store offset=0 (local.get $row) (local.get $c2_0))
      (v128.store offset=16 (local.get $row) (local.get $c2_1))
      (local.set $row (i32.add (local.get $pc) (i32.mul (local.get $ldcb) (i32.const 3))))
      (v128.store offset=0 (local.get $row) (local.get $c3_0))
      (v128.store offset=16 (local.get $row) (local.get $c3_1))
    ) (else (if (f64.eq (local.get $beta) (f64.const 1)) (then
      (local.set $row (i32.add (local.get $pc) (i32.mul (local.get $ldcb) (i32.const 0))))
      (v128.store offset=0 (local.get $row) (f64x2.add (v128.load offset=0 (local.get $row)) (local.get $c0_0)))
      (v128.store offset=16 (local.get $row) (f64x2.add (v128.load offset=16 (local.get $row)) (local.get $c0_1)))
      (local.set $row (i32.add (local.get $pc) (i32.mul (local.get $ldcb) (i32.const 1))))
      (v128.store offset=0 (local.get $row) (f64x2.add (v128.load offset=0 (local.get $row)) (local.get $c1_0)))
      (v128.store offset=16 (local.get $row) (f64x2.add (v128.load offset=16 (local.get $row)) (local.get $c1_1)))
      (local.set $row (i32.add (local.get $pc) (i32.mul (local.get $ldcb) (i32.const 2))))
      (v128.store offset=0 (local.get $row) (f64x2.add (v128.load offset=0 (local.get $row)) (local.get $c2_0)))
      (v128.store offset=16 (local.get $row) (f64x2.add (v128.load offset=16 (local.get $row)) (local.get $c2_1)))
      (local.set $row (i32.add (local.get $pc) (i32.mul (local.get $ldcb) (i32.const 3))))
      (v128.store offset=0 (local.get $row) (f64x2.add (v128.load offset=0 (local.get $row)) (local.get $c3_0)))
      (v128.store offset=16 (local.get $row) (f64x2.add (v128.load offset=16 (local.get $row)) (local.get $c3_1)))
    ) (else
      (local.set $bb (f64x2.splat (local.get $beta)))
      (local.set $row (i32.add (local.get $pc) (i32.mul (local.get $ldcb) (i32.const 0))))
      (v128.store offset=0 (local.get $row) (f64x2.add (f64x2.mul (v128.load offset=0 (local.get $row)) (local.get $bb)) (local.get $c0_0)))
      (v128.store offset=16 (local.get $row) (f64x2.add (f64x2.mul (v128.load offset=16 (local.get $row)) (local.get $bb)) (local.get $c0_1)))
      (local.set $row (i32.add (local.get $pc) (i32.mul (local.get $ldcb) (i32.const 1))))
      (v128.store offset=0 (local.get $row) (f64x2.add (f64x2.mul (v128.load offset=0 (local.get $row)) (local.get $bb)) (local.get $c1_0)))
      (v128.store offset=16 (local.get $row) (f64x2.add (f64x2.mul (v128.load offset=16 (local.get $row)) (local.get $bb)) (local.get $c1_1)))
      (local.set $row (i32.add (local.get $pc) (i32.mul (local.get $ldcb) (i32.const 2))))
      (v128.store offset=0 (local.get $row) (f64x2.add (f64x2.mul (v128.load offset=0 (local.get $row)) (local.get $bb)) (local.get $c2_0)))
      (v128.store offset=16 (local.get $row) (f64x2.add (f64x2.mul (v128.load offset=16 (local.get $row)) (local.get $bb)) (local.get $c2_1)))
      (local.set $row (i32.add (local.get $pc) (i32.mul (local.get $ldcb) (i32.const 3))))
      (v128.store offset=0 (local.get $row) (f64x2.add (f64x2.mul (v128.load offset=0 (local.get $row)) (local.get $bb)) (local.get $c3_0)))
      (v128.store offset=16 (local.get $row) (f64x2.add (f64x2.mul (v128.load offset=16 (local.get $row)) (local.get $bb)) (local.get $c3_1)))
    ))))
  )
  ;; macro: C block := beta*C + Apack*Bpack over NR-panels [j0, j1) and all MR-panels of the
  ;; mcPad x kc packed A block (jr outer so one B micro-panel stays in L1 across the ir loop).
  (func (export "macro") (param $mcPad i32) (param $kc i32) (param $aOff i32) (param $bOff i32) (param $cOff i32) (param $ldc i32) (param $beta f64) (param $j0 i32) (param $j1 i32)
    (local $jr i32) (local $ir i32) (local $pb i32) (local $pa i32) (local $pc i32) (local $ldcb i32) (local $apan i32) (local $bpan i32) (local $ctile i32)
    (local.set $ldcb (i32.shl (local.get $ldc) (i32.const 3)))
    (local.set $apan (i32.mul (local.get $kc) (i32.const 32)))
    (local.set $bpan (i32.mul (local.get $kc) (i32.const 32)))
    (local.set $ctile (i32.mul (local.get $ldcb) (i32.const 4)))
    (local.set $jr (local.get $j0))
    (block $jdone (loop $jl
      (br_if $jdone (i32.ge_s (local.get $jr) (local.get $j1)))
      (local.set $pb (i32.add (i32.shl (local.get $bOff) (i32.const 3)) (i32.mul (local.get $jr) (local.get $bpan))))
      (local.set $pa (i32.shl (local.get $aOff) (i32.const 3)))
      (local.set $pc (i32.add (i32.shl (local.get $cOff) (i32.const 3)) (i32.mul (local.get $jr) (i32.const 32))))
      (local.set $ir (i32.const 0))
      (block $idone (loop $il
        (br_if $idone (i32.ge_s (local.get $ir) (local.get $mcPad)))
        (call $ukernel (local.get $kc) (local.get $pa) (local.get $pb) (local.get $pc) (local.get $ldcb) (local.get $beta))
        (local.set $pa (i32.add (local.get $pa) (local.get $apan)))
        (local.set $pc (i32.add (local.get $pc) (local.get $ctile)))
        (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
        (br $il)))
      (local.set $jr (i32.add (local.get $jr) (i32.const 1)))
      (br $jl)))
  )
)