# train_mlp
# dlc CUDA profile: each kernel launch of a call, timed by events around it on the call's stream
# entry launch kernel grid block shared-bytes calls median-us min-us total-us
train_step 0 _dlc_train_step_kernel 16x4x1 16x16x1 0 23 24.9 23.2 591.5
train_step 1 _dlc_train_step_kernel_6 16x4x1 16x16x1 0 23 15.6 15.4 363.1
train_step 2 _dlc_train_step_kernel_7 160x1x1 256x1x1 0 23 5.2 4.7 123.2
train_step 3 _dlc_train_step_kernel_8 160x1x1 32x8x1 0 23 3.8 3.5 95.1
train_step 4 _dlc_train_step_kernel_9 5x1x1 256x1x1 0 23 3.5 3.2 86.0
train_step 5 _dlc_train_step_kernel_10 16x1x1 32x8x1 0 23 4.0 3.8 96.0
train_step 6 _dlc_train_step_kernel_11 1x1x1 32x1x1 0 23 3.8 3.3 91.5
train_step 7 _dlc_train_step_kernel_12 16x1x1 32x8x1 0 23 4.4 3.9 103.6
train_step 8 _dlc_train_step_kernel_13 2x1x1 256x1x1 0 23 3.5 3.3 86.9
train_step 9 _dlc_train_step_kernel_14 5x1x1 32x2x1 0 23 3.5 3.1 83.6
train_step 10 _dlc_train_step_kernel_15 16x4x1 16x16x1 0 23 4.9 4.4 129.4
train_step 11 _dlc_train_step_kernel_16 64x1x1 256x1x1 0 23 4.7 3.8 108.6
train_step 12 _dlc_train_step_kernel_17 64x1x1 32x8x1 0 23 4.1 3.5 95.7
train_step 13 _dlc_train_step_kernel_18 16x4x1 16x16x1 0 23 20.4 20.1 479.8
train_step 14 _dlc_train_step_kernel_19 64x1x1 256x1x1 0 23 4.3 3.9 100.5
train_step 15 _dlc_train_step_kernel_20 64x1x1 32x8x1 0 23 3.6 3.4 89.7
train_step 16 _dlc_train_step_kernel_21 8x49x1 16x4x1 0 23 9.8 9.6 232.5
train_step 17 _dlc_train_step_kernel_22 2x1x1 256x1x1 0 23 3.2 3.1 73.6
train_step 18 _dlc_train_step_kernel_23 8x8x1 16x16x1 0 23 9.8 9.6 226.7
train_step 19 _dlc_train_step_kernel_24 2x1x1 256x1x1 0 23 3.2 3.1 73.3
train_step 20 _dlc_train_step_kernel_25 1x8x1 5x16x1 0 23 9.0 9.0 209.6
train_step 21 _dlc_train_step_kernel_26 1x1x1 256x1x1 0 23 3.2 3.1 74.7
# train_step: 22 kernel launches a call, medians summing to 152.3 us
# train_cnn
# dlc CUDA profile: each kernel launch of a call, timed by events around it on the call's stream
# entry launch kernel grid block shared-bytes calls median-us min-us total-us
train_step 0 _dlc_train_step_kernel 225x1x1 256x1x1 0 23 8.2 6.7 221.4
train_step 1 _dlc_train_step_kernel_12 6272x1x1 256x1x1 0 23 14.0 13.2 329.3
train_step 2 _dlc_train_step_kernel_13 6272x1x1 256x1x1 0 23 7.8 7.6 188.1
train_step 3 _dlc_train_step_kernel_14 1568x1x1 256x1x1 0 23 5.6 4.8 144.8
train_step 4 _dlc_train_step_kernel_15 2048x1x1 256x1x1 0 23 7.5 5.2 181.4
train_step 5 _dlc_train_step_kernel_16 14112x1x1 256x1x1 0 23 17.3 15.6 396.0
train_step 6 _dlc_train_step_kernel_17 196x1x1 16x16x1 0 23 27.0 26.7 627.5
train_step 7 _dlc_train_step_kernel_18 3136x1x1 256x1x1 0 23 6.0 5.5 136.7
train_step 8 _dlc_train_step_kernel_19 784x1x1 256x1x1 0 23 4.3 4.2 109.9
train_step 9 _dlc_train_step_kernel_20 160x1x1 256x1x1 0 23 6.8 6.3 164.7
train_step 10 _dlc_train_step_kernel_21 80x1x1 32x8x1 0 23 3.9 3.5 94.5
train_step 11 _dlc_train_step_kernel_22 3x1x1 256x1x1 0 23 3.6 3.3 96.4
train_step 12 _dlc_train_step_kernel_23 8x1x1 32x8x1 0 23 4.9 4.1 122.0
train_step 13 _dlc_train_step_kernel_24 1x1x1 32x1x1 0 23 4.2 3.3 129.7
train_step 14 _dlc_train_step_kernel_25 8x1x1 32x8x1 0 23 6.6 4.0 152.1
train_step 15 _dlc_train_step_kernel_26 2x1x1 256x1x1 0 23 7.1 4.0 163.3
train_step 16 _dlc_train_step_kernel_27 5x1x1 32x2x1 0 23 6.7 3.4 158.8
train_step 17 _dlc_train_step_kernel_28 49x1x1 16x16x1 0 23 14.0 12.1 324.0
train_step 18 _dlc_train_step_kernel_29 3136x1x1 256x1x1 0 23 7.6 7.4 180.6
train_step 19 _dlc_train_step_kernel_30 512x1x1 32x8x1 0 23 7.4 6.0 175.5
train_step 20 _dlc_train_step_kernel_31 8x1x1 256x1x1 0 23 5.4 3.6 134.3
train_step 21 _dlc_train_step_kernel_32 8x1x1 32x8x1 0 23 6.5 4.8 162.4
train_step 22 _dlc_train_step_kernel_33 72x1x1 256x1x1 0 23 7.6 6.0 189.8
train_step 23 _dlc_train_step_kernel_34 28224x1x1 256x1x1 0 23 36.7 35.0 873.2
train_step 24 _dlc_train_step_kernel_35 196x1x1 16x8x1 0 23 30.4 30.0 700.0
train_step 25 _dlc_train_step_kernel_36 14112x1x1 256x1x1 0 23 15.5 15.0 356.3
train_step 26 _dlc_train_step_kernel_37 2x7x64 224x1x1 0 23 6.0 5.4 136.4
train_step 27 _dlc_train_step_kernel_38 1x9x16 16x8x1 0 23 39.6 39.0 915.3
train_step 28 _dlc_train_step_kernel_39 72x1x1 256x1x1 0 23 4.1 3.6 93.4
train_step 29 _dlc_train_step_kernel_40 6272x1x1 256x1x1 0 23 11.9 11.3 280.8
train_step 30 _dlc_train_step_kernel_41 256x1x1 32x8x1 0 23 8.6 8.2 200.4
train_step 31 _dlc_train_step_kernel_42 4x1x1 256x1x1 0 23 4.1 3.6 97.7
train_step 32 _dlc_train_step_kernel_43 4x1x1 32x8x1 0 23 3.9 3.3 99.9
train_step 33 _dlc_train_step_kernel_44 1764x1x1 256x1x1 0 23 5.3 4.8 124.8
train_step 34 _dlc_train_step_kernel_45 1x49x64 256x1x1 0 23 7.0 6.8 167.6
train_step 35 _dlc_train_step_kernel_46 504x1x1 256x1x1 0 23 10.5 10.3 248.5
train_step 36 _dlc_train_step_kernel_47 36x1x1 32x8x1 0 23 3.8 3.7 97.1
train_step 37 _dlc_train_step_kernel_48 2x1x1 256x1x1 0 23 3.7 3.5 90.5
train_step 38 _dlc_train_step_kernel_49 1x1x1 256x1x1 0 23 3.3 3.2 80.3
train_step 39 _dlc_train_step_kernel_50 72x1x1 256x1x1 0 23 4.1 3.9 97.6
train_step 40 _dlc_train_step_kernel_51 1x1x1 256x1x1 0 23 3.5 3.5 85.2
train_step 41 _dlc_train_step_kernel_52 1x49x1 5x16x1 0 23 10.6 10.1 247.6
train_step 42 _dlc_train_step_kernel_53 1x1x1 256x1x1 0 23 3.3 3.2 78.9
# train_step: 43 kernel launches a call, medians summing to 405.8 us
