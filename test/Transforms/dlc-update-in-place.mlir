// RUN: dlc-opt %s --convert-dlc-to-linalg --dlc-fuse-elementwise --dlc-update-in-place | FileCheck %s --check-prefix=TENSOR
// RUN: dlc-opt %s --convert-dlc-to-linalg --dlc-fuse-elementwise --dlc-update-in-place --dlc-tile-and-fuse --canonicalize --dlc-bufferize --canonicalize | FileCheck %s --check-prefix=INPLACE
// RUN: dlc-opt %s --convert-dlc-to-linalg --dlc-bufferize | FileCheck %s --check-prefix=FALLBACK

// w is in-out (result 1): an SGD-like update of it, after a matmul that
// reads it.

// The update writes into w itself and reads w through its destination.
// TENSOR-LABEL: func.func @step
// TENSOR-SAME: %[[W:.+]]: tensor<64x32xf32> {bufferization.writable = true, dlc.inout = 1 : i64}
// TENSOR: linalg.matmul ins(%{{.+}}, %[[W]] :
// TENSOR: %[[U:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<64x32xf32>) outs(%[[W]] : tensor<64x32xf32>)
// TENSOR: return %{{.+}}, %[[U]]

// After bufferization: no out-param for w, which is updated in its own
// buffer: no allocation or copy of it.
// INPLACE-LABEL: func.func @step
// INPLACE-SAME: (%[[W:.+]]: memref<64x32xf32>, %[[G:.+]]: memref<64x32xf32>, %{{.+}}: memref<8x64xf32>, %{{.+}}: memref<8x32xf32>)
// INPLACE-NOT: memref.alloc() {{.*}} : memref<64x32xf32>
// INPLACE: scf.for
// INPLACE: %[[GROW:.+]] = memref.subview %[[G]]
// INPLACE: %[[ROW:.+]] = memref.subview %[[W]]
// INPLACE: vector.transfer_read %[[GROW]]
// INPLACE: vector.transfer_read %[[ROW]]
// INPLACE: arith.subf
// INPLACE: vector.transfer_write %{{.+}}, %[[ROW]]
// INPLACE-NOT: linalg.copy {{.*}} outs(%[[W]]
// INPLACE: return

// Without dlc-update-in-place the value is computed elsewhere and copied into
// w at the end, after every read of the old value.
// FALLBACK-LABEL: func.func @step
// FALLBACK-SAME: (%[[W:.+]]: memref<64x32xf32>, %{{.+}}: memref<64x32xf32>, %{{.+}}: memref<8x64xf32>, %{{.+}}: memref<8x32xf32>)
// FALLBACK: linalg.matmul ins(%{{.+}}, %[[W]] :
// FALLBACK: linalg.copy ins(%{{.+}} : memref<64x32xf32>) outs(%[[W]] : memref<64x32xf32>)
// FALLBACK-NEXT: return
func.func @step(%w: tensor<64x32xf32> {dlc.inout = 1 : i64}, %g: tensor<64x32xf32>, %x: tensor<8x64xf32>)
    -> (tensor<8x32xf32>, tensor<64x32xf32>) {
  %y = dlc.matmul %x, %w : (tensor<8x64xf32>, tensor<64x32xf32>) -> tensor<8x32xf32>
  %lr = dlc.constant dense<0.1> : tensor<64x32xf32>
  %d = dlc.mul %g, %lr : tensor<64x32xf32>
  %n = dlc.sub %w, %d : tensor<64x32xf32>
  return %y, %n : tensor<8x32xf32>, tensor<64x32xf32>
}
