/* Trains with the C runtime alone: loads an artifact built with
 * `dlc-compile examples/c/regression.mlir --train-step=...`, fills x with
 * sin(0.37 i^2 + 0.1 i) and target = x [1.5, -2, 0.5]^T + 0.25, starts from zero
 * parameters and state, and calls train_step STEPS times. Every in-out input
 * (parameters, optimizer state) is passed as its own output, so the runtime
 * updates it in place: nothing is copied between steps. Prints the loss of
 * the first and last steps and the learned w and b.
 *
 *   train_model MODEL.dlc STEPS
 */
#include "example_tensors.h"

#include <dlc/runtime.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc != 3 || atoi(argv[2]) < 1) {
    fprintf(stderr, "usage: %s MODEL.dlc STEPS\n", argv[0]);
    return 2;
  }
  int steps = atoi(argv[2]);
  dlc_module *module = NULL;
  const dlc_function *fn = NULL;
  if (dlc_module_load(argv[1], &module) != DLC_OK ||
      dlc_module_lookup(module, "train_step", &fn) != DLC_OK) {
    fprintf(stderr, "error: %s\n", dlc_last_error());
    dlc_module_free(module);
    return 1;
  }
  size_t n_in = dlc_function_num_inputs(fn), n_out = dlc_function_num_outputs(fn);
  DLTensor *inputs = calloc(n_in, sizeof(DLTensor));
  DLTensor *outputs = calloc(n_out, sizeof(DLTensor));
  float **data = calloc(n_in, sizeof(float *));
  const float truth[3] = {1.5f, -2.0f, 0.5f};
  float *x = NULL;
  for (size_t i = 0; i < n_in; ++i) {
    dlc_tensor_spec spec = dlc_function_input(fn, i);
    if (spec.dtype.code != kDLFloat || spec.dtype.bits != 32) {
      fprintf(stderr, "error: input %zu ('%s') is not f32\n", i, spec.name);
      return 1;
    }
    data[i] = calloc((size_t)elements(&spec), sizeof(float)); /* zeros */
    if (strcmp(spec.name, "x") == 0) {
      x = data[i];
      for (int64_t k = 0; k < elements(&spec); ++k)
        x[k] = sinf(0.37f * (float)(k * k) + 0.1f * (float)k);
    }
    inputs[i] = make_tensor(&spec, data[i]);
  }
  for (size_t i = 0; i < n_in; ++i) {
    dlc_tensor_spec spec = dlc_function_input(fn, i);
    if (strcmp(spec.name, "target") != 0 || !x)
      continue;
    for (int64_t r = 0; r < spec.shape[0]; ++r)
      data[i][r] = 0.25f + truth[0] * x[3 * r] + truth[1] * x[3 * r + 1] +
                   truth[2] * x[3 * r + 2];
  }
  float loss = 0, first = 0;
  for (size_t o = 0; o < n_out; ++o) {
    dlc_tensor_spec spec = dlc_function_output(fn, o);
    int64_t in = dlc_function_output_inout(fn, o);
    /* In-out: the input's own tensor, updated in place. */
    outputs[o] = in >= 0 ? inputs[in] : make_tensor(&spec, &loss);
  }
  for (int step = 1; step <= steps; ++step) {
    if (dlc_call(fn, inputs, n_in, outputs, n_out) != DLC_OK) {
      fprintf(stderr, "error: %s\n", dlc_last_error());
      return 1;
    }
    if (step == 1)
      first = loss;
  }
  printf("loss: step 1 %.6f, step %d %.6f\n", first, steps, loss);
  for (size_t i = 0; i < n_in; ++i) {
    dlc_tensor_spec spec = dlc_function_input(fn, i);
    if (strcmp(spec.name, "w") == 0)
      printf("w: %.4f %.4f %.4f\n", data[i][0], data[i][1], data[i][2]);
    if (strcmp(spec.name, "b") == 0)
      printf("b: %.4f\n", data[i][0]);
  }
  dlc_module_free(module);
  return 0;
}
