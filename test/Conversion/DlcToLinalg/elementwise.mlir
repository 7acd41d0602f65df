// RUN: dlc-opt %s --convert-dlc-to-linalg --split-input-file | FileCheck %s

// CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @exp_f16_computes_in_f32
// CHECK-SAME: (%[[X:.+]]: tensor<2x3xf16>)
// CHECK: %[[INIT:.+]] = tensor.empty() {{.*}}: tensor<2x3xf16>
// CHECK: linalg.generic {indexing_maps = [#[[$ID2]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<2x3xf16>) outs(%[[INIT]] : tensor<2x3xf16>)
// CHECK: ^bb0(%[[IN:.+]]: f16, %{{.+}}: f16):
// CHECK-NEXT: %[[W:.+]] = arith.extf %[[IN]] : f16 to f32
// CHECK-NEXT: %[[E:.+]] = math.exp %[[W]] : f32
// CHECK-NEXT: %[[N:.+]] = arith.truncf %[[E]] : f32 to f16
// CHECK-NEXT: linalg.yield %[[N]] : f16
func.func @exp_f16_computes_in_f32(%x: tensor<2x3xf16>) -> tensor<2x3xf16> {
  %0 = dlc.exp %x : tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// -----

// CHECK-LABEL: func @neg_abs_relu_f16_exact
// CHECK: arith.negf %{{.+}} : f16
// CHECK: math.absf %{{.+}} : f16
// CHECK: arith.maximumf %{{.+}}, %{{.+}} : f16
// CHECK-NOT: arith.extf
func.func @neg_abs_relu_f16_exact(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = dlc.neg %x : tensor<4xf16>
  %1 = dlc.abs %0 : tensor<4xf16>
  %2 = dlc.relu %1 : tensor<4xf16>
  return %2 : tensor<4xf16>
}

// -----

// CHECK-LABEL: func @unary_float_ops
// CHECK: math.log
// CHECK: math.sqrt
// CHECK: math.rsqrt
// CHECK: math.tanh
// CHECK: math.sin
// CHECK: math.cos
// Sigmoid is 1 / (1 + exp(-x)).
// CHECK: %[[NEG:.+]] = arith.negf
// CHECK: %[[EXP:.+]] = math.exp %[[NEG]]
// CHECK: %[[DEN:.+]] = arith.addf %{{.+}}, %[[EXP]]
// CHECK: arith.divf %{{.+}}, %[[DEN]]
func.func @unary_float_ops(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dlc.log %x : tensor<4xf32>
  %1 = dlc.sqrt %0 : tensor<4xf32>
  %2 = dlc.rsqrt %1 : tensor<4xf32>
  %3 = dlc.tanh %2 : tensor<4xf32>
  %4 = dlc.sin %3 : tensor<4xf32>
  %5 = dlc.cos %4 : tensor<4xf32>
  %6 = dlc.sigmoid %5 : tensor<4xf32>
  return %6 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @gelu
// CHECK: math.erf
// CHECK: math.tanh
func.func @gelu(%x: tensor<4xf64>) -> (tensor<4xf64>, tensor<4xf64>) {
  %0 = dlc.gelu %x : tensor<4xf64>
  %1 = dlc.gelu %x approximate = <tanh> : tensor<4xf64>
  return %0, %1 : tensor<4xf64>, tensor<4xf64>
}

// -----

// CHECK-LABEL: func @integer_unary
// CHECK: arith.subi %{{.+}}, %{{.+}} : i64
// CHECK: math.absi %{{.+}} : i64
// CHECK: arith.maxsi %{{.+}}, %{{.+}} : i64
func.func @integer_unary(%x: tensor<4xi64>) -> tensor<4xi64> {
  %0 = dlc.neg %x : tensor<4xi64>
  %1 = dlc.abs %0 : tensor<4xi64>
  %2 = dlc.relu %1 : tensor<4xi64>
  return %2 : tensor<4xi64>
}

// -----

// CHECK-DAG: #[[$ID:.+]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func @binary_float
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>, %[[Y:.+]]: tensor<4xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$ID]]], iterator_types = ["parallel"]}
// CHECK-SAME: ins(%[[X]], %[[Y]] : tensor<4xf32>, tensor<4xf32>)
// CHECK: arith.addf
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.divf
// CHECK: math.powf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @binary_float(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dlc.add %x, %y : tensor<4xf32>
  %1 = dlc.sub %0, %y : tensor<4xf32>
  %2 = dlc.mul %1, %y : tensor<4xf32>
  %3 = dlc.div %2, %y : tensor<4xf32>
  %4 = dlc.pow %3, %y : tensor<4xf32>
  %5 = dlc.max %4, %y : tensor<4xf32>
  %6 = dlc.min %5, %y : tensor<4xf32>
  return %6 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @binary_int
// CHECK: arith.addi
// CHECK: arith.subi
// CHECK: arith.muli
// CHECK: arith.maxsi
// CHECK: arith.minsi
func.func @binary_int(%x: tensor<4xi32>, %y: tensor<4xi32>) -> tensor<4xi32> {
  %0 = dlc.add %x, %y : tensor<4xi32>
  %1 = dlc.sub %0, %y : tensor<4xi32>
  %2 = dlc.mul %1, %y : tensor<4xi32>
  %3 = dlc.max %2, %y : tensor<4xi32>
  %4 = dlc.min %3, %y : tensor<4xi32>
  return %4 : tensor<4xi32>
}

// -----

// Float comparisons are ordered except ne (true on NaN); i1 compares unsigned.
// CHECK-LABEL: func @compare_select
// CHECK: arith.cmpf une
// CHECK: arith.cmpf olt
// CHECK: arith.cmpi sge
// CHECK: arith.cmpi ugt
// CHECK: arith.select
func.func @compare_select(%x: tensor<4xf32>, %y: tensor<4xf32>, %i: tensor<4xi32>, %b: tensor<4xi1>) -> tensor<4xf32> {
  %0 = dlc.compare <ne>, %x, %y : tensor<4xf32>
  %1 = dlc.compare <lt>, %x, %y : tensor<4xf32>
  %2 = dlc.compare <ge>, %i, %i : tensor<4xi32>
  %3 = dlc.compare <gt>, %b, %b : tensor<4xi1>
  %4 = dlc.select %3, %x, %y : tensor<4xi1>, tensor<4xf32>
  return %4 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @casts
// CHECK: arith.fptosi %{{.+}} : f32 to i32
// CHECK: arith.sitofp %{{.+}} : i32 to f64
// CHECK: arith.truncf %{{.+}} : f64 to f16
// Same-width float conversion goes through f32.
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: arith.truncf %{{.+}} : f32 to bf16
// Conversion to i1 tests for non-zero; i1 converts as unsigned.
// CHECK: arith.cmpf une
// CHECK: arith.extui %{{.+}} : i1 to i64
func.func @casts(%x: tensor<4xf32>) -> tensor<4xi64> {
  %0 = dlc.cast %x : tensor<4xf32> -> tensor<4xi32>
  %1 = dlc.cast %0 : tensor<4xi32> -> tensor<4xf64>
  %2 = dlc.cast %1 : tensor<4xf64> -> tensor<4xf16>
  %3 = dlc.cast %2 : tensor<4xf16> -> tensor<4xbf16>
  %4 = dlc.cast %3 : tensor<4xbf16> -> tensor<4xi1>
  %5 = dlc.cast %4 : tensor<4xi1> -> tensor<4xi64>
  return %5 : tensor<4xi64>
}

// -----

// CHECK-LABEL: func @constant
// CHECK: %[[C:.+]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: return %[[C]]
func.func @constant() -> tensor<2xf32> {
  %0 = dlc.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}
