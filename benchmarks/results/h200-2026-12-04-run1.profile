# train_mlp
# dlc CUDA profile: each kernel launch of a call, timed by events around it on the call's stream
# entry launch kernel grid block shared-bytes calls median-us min-us total-us
train_step 0 _dlc_train_step_kernel 16x4x1 16x16x1 0 23 25.9 24.5 617.9
train_step 1 _dlc_train_step_kernel_6 16x4x1 16x16x1 0 23 15.6 15.3 365.1
train_step 2 _dlc_train_step_kernel_7 160x1x1 256x1x1 0 23 4.7 4.6 114.5
train_step 3 _dlc_train_step_kernel_8 160x1x1 32x8x1 0 23 3.7 3.4 93.0
train_step 4 _dlc_train_step_kernel_9 5x1x1 256x1x1 0 23 3.7 3.1 94.0
train_step 5 _dlc_train_step_kernel_10 16x1x1 32x8x1 0 23 3.8 3.7 113.4
train_step 6 _dlc_train_step_kernel_11 1x1x1 32x1x1 0 23 3.8 3.2 95.2
train_step 7 _dlc_train_step_kernel_12 16x1x1 32x8x1 0 23 3.9 3.7 109.5
train_step 8 _dlc_train_step_kernel_13 2x1x1 256x1x1 0 23 4.3 3.2 111.1
train_step 9 _dlc_train_step_kernel_14 5x1x1 32x2x1 0 23 5.7 3.1 120.1
train_step 10 _dlc_train_step_kernel_15 16x4x1 16x16x1 0 23 7.0 5.9 167.0
train_step 11 _dlc_train_step_kernel_16 64x1x1 256x1x1 0 23 6.7 5.8 162.1
train_step 12 _dlc_train_step_kernel_17 64x1x1 32x8x1 0 23 5.6 4.7 134.3
train_step 13 _dlc_train_step_kernel_18 16x4x1 16x16x1 0 23 23.6 22.2 539.5
train_step 14 _dlc_train_step_kernel_19 64x1x1 256x1x1 0 23 4.2 3.8 96.4
train_step 15 _dlc_train_step_kernel_20 64x1x1 32x8x1 0 23 3.9 3.4 92.8
train_step 16 _dlc_train_step_kernel_21 8x49x1 16x4x1 0 23 10.0 9.5 235.6
train_step 17 _dlc_train_step_kernel_22 2x1x1 256x1x1 0 23 3.1 3.0 78.0
train_step 18 _dlc_train_step_kernel_23 8x8x1 16x16x1 0 23 10.0 9.5 233.0
train_step 19 _dlc_train_step_kernel_24 2x1x1 256x1x1 0 23 3.1 3.0 82.5
train_step 20 _dlc_train_step_kernel_25 1x8x1 5x16x1 0 23 9.0 8.8 219.4
train_step 21 _dlc_train_step_kernel_26 1x1x1 256x1x1 0 23 3.1 3.1 78.3
# train_step: 22 kernel launches a call, medians summing to 164.4 us
# train_cnn
# dlc CUDA profile: each kernel launch of a call, timed by events around it on the call's stream
# entry launch kernel grid block shared-bytes calls median-us min-us total-us
train_step 0 _dlc_train_step_kernel 225x1x1 256x1x1 0 23 7.1 5.4 184.9
train_step 1 _dlc_train_step_kernel_12 6272x1x1 256x1x1 0 23 12.6 11.0 298.5
train_step 2 _dlc_train_step_kernel_13 6272x1x1 256x1x1 0 23 7.7 7.4 191.5
train_step 3 _dlc_train_step_kernel_14 1568x1x1 256x1x1 0 23 5.4 4.8 131.0
train_step 4 _dlc_train_step_kernel_15 2048x1x1 256x1x1 0 23 5.2 4.8 127.4
train_step 5 _dlc_train_step_kernel_16 14112x1x1 256x1x1 0 23 13.6 13.2 324.6
train_step 6 _dlc_train_step_kernel_17 196x1x1 16x16x1 0 23 27.1 26.8 632.9
train_step 7 _dlc_train_step_kernel_18 3136x1x1 256x1x1 0 23 5.8 5.4 133.9
train_step 8 _dlc_train_step_kernel_19 784x1x1 256x1x1 0 23 4.4 4.2 117.1
train_step 9 _dlc_train_step_kernel_20 160x1x1 256x1x1 0 23 7.0 6.3 163.0
train_step 10 _dlc_train_step_kernel_21 80x1x1 32x8x1 0 23 4.1 3.5 98.8
train_step 11 _dlc_train_step_kernel_22 3x1x1 256x1x1 0 23 3.5 3.3 87.5
train_step 12 _dlc_train_step_kernel_23 8x1x1 32x8x1 0 23 4.4 4.1 108.5
train_step 13 _dlc_train_step_kernel_24 1x1x1 32x1x1 0 23 3.6 3.3 90.6
train_step 14 _dlc_train_step_kernel_25 8x1x1 32x8x1 0 23 4.4 3.9 105.8
train_step 15 _dlc_train_step_kernel_26 2x1x1 256x1x1 0 23 3.6 3.2 87.2
train_step 16 _dlc_train_step_kernel_27 5x1x1 32x2x1 0 23 3.8 3.3 95.1
train_step 17 _dlc_train_step_kernel_28 49x1x1 16x16x1 0 23 10.5 10.0 245.5
train_step 18 _dlc_train_step_kernel_29 3136x1x1 256x1x1 0 23 7.5 7.4 180.1
train_step 19 _dlc_train_step_kernel_30 512x1x1 32x8x1 0 23 6.5 6.0 151.3
train_step 20 _dlc_train_step_kernel_31 8x1x1 256x1x1 0 23 3.8 3.6 94.9
train_step 21 _dlc_train_step_kernel_32 8x1x1 32x8x1 0 23 3.6 3.3 88.8
train_step 22 _dlc_train_step_kernel_33 72x1x1 256x1x1 0 23 3.8 3.4 91.8
train_step 23 _dlc_train_step_kernel_34 28224x1x1 256x1x1 0 23 32.7 31.9 755.1
train_step 24 _dlc_train_step_kernel_35 196x1x1 16x8x1 0 23 31.0 30.6 720.5
train_step 25 _dlc_train_step_kernel_36 14112x1x1 256x1x1 0 23 16.4 15.0 376.7
train_step 26 _dlc_train_step_kernel_37 2x7x64 224x1x1 0 23 6.4 5.4 150.8
train_step 27 _dlc_train_step_kernel_38 1x9x16 16x8x1 0 23 40.0 39.3 921.1
train_step 28 _dlc_train_step_kernel_39 72x1x1 256x1x1 0 23 4.2 3.7 97.2
train_step 29 _dlc_train_step_kernel_40 6272x1x1 256x1x1 0 23 12.0 11.2 281.2
train_step 30 _dlc_train_step_kernel_41 256x1x1 32x8x1 0 23 8.9 8.7 208.4
train_step 31 _dlc_train_step_kernel_42 4x1x1 256x1x1 0 23 4.4 4.0 101.4
train_step 32 _dlc_train_step_kernel_43 4x1x1 32x8x1 0 23 4.0 3.6 99.7
train_step 33 _dlc_train_step_kernel_44 1764x1x1 256x1x1 0 23 5.7 5.3 134.0
train_step 34 _dlc_train_step_kernel_45 1x49x64 256x1x1 0 23 7.6 7.2 182.8
train_step 35 _dlc_train_step_kernel_46 504x1x1 256x1x1 0 23 10.5 10.3 243.6
train_step 36 _dlc_train_step_kernel_47 36x1x1 32x8x1 0 23 3.7 3.7 91.1
train_step 37 _dlc_train_step_kernel_48 2x1x1 256x1x1 0 23 3.6 3.5 86.8
train_step 38 _dlc_train_step_kernel_49 1x1x1 256x1x1 0 23 3.2 3.2 79.8
train_step 39 _dlc_train_step_kernel_50 72x1x1 256x1x1 0 23 4.1 3.9 98.2
train_step 40 _dlc_train_step_kernel_51 1x1x1 256x1x1 0 23 3.6 3.4 85.1
train_step 41 _dlc_train_step_kernel_52 1x49x1 5x16x1 0 23 10.7 10.3 250.5
train_step 42 _dlc_train_step_kernel_53 1x1x1 256x1x1 0 23 3.5 3.2 82.2
# train_step: 43 kernel launches a call, medians summing to 375.4 us
