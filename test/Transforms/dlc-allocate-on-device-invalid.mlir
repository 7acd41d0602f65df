// RUN: dlc-opt %s --dlc-allocate-on-device --verify-diagnostics -o /dev/null

// A buffer access left on the host (a loop the mapping did not turn into a
// kernel) would read device memory there: an error at each access.
func.func @host_loop(%in: memref<4xf32>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{dlc-gpu-pipeline: this access was not mapped to a GPU kernel (it would read device memory on the host)}}
  %v = memref.load %in[%c0] : memref<4xf32>
  // expected-error @+1 {{dlc-gpu-pipeline: this access was not mapped to a GPU kernel}}
  memref.store %v, %out[%c0] : memref<4xf32>
  return
}
