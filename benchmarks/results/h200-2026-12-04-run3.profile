# train_mlp
# dlc CUDA profile: each kernel launch of a call, timed by events around it on the call's stream
# entry launch kernel grid block shared-bytes calls median-us min-us total-us
train_step 0 _dlc_train_step_kernel 16x4x1 16x16x1 0 23 25.4 24.6 605.0
train_step 1 _dlc_train_step_kernel_6 16x4x1 16x16x1 0 23 15.4 15.3 362.5
train_step 2 _dlc_train_step_kernel_7 160x1x1 256x1x1 0 23 4.8 4.6 117.5
train_step 3 _dlc_train_step_kernel_8 160x1x1 32x8x1 0 23 3.7 3.5 92.9
train_step 4 _dlc_train_step_kernel_9 5x1x1 256x1x1 0 23 3.5 3.2 92.8
train_step 5 _dlc_train_step_kernel_10 16x1x1 32x8x1 0 23 4.1 3.7 110.5
train_step 6 _dlc_train_step_kernel_11 1x1x1 32x1x1 0 23 3.5 3.3 100.4
train_step 7 _dlc_train_step_kernel_12 16x1x1 32x8x1 0 23 4.5 3.8 118.6
train_step 8 _dlc_train_step_kernel_13 2x1x1 256x1x1 0 23 4.9 3.3 116.8
train_step 9 _dlc_train_step_kernel_14 5x1x1 32x2x1 0 23 5.5 3.1 117.7
train_step 10 _dlc_train_step_kernel_15 16x4x1 16x16x1 0 23 6.8 4.3 158.3
train_step 11 _dlc_train_step_kernel_16 64x1x1 256x1x1 0 23 6.8 5.3 160.5
train_step 12 _dlc_train_step_kernel_17 64x1x1 32x8x1 0 23 5.6 4.5 130.9
train_step 13 _dlc_train_step_kernel_18 16x4x1 16x16x1 0 23 23.4 22.1 537.3
train_step 14 _dlc_train_step_kernel_19 64x1x1 256x1x1 0 23 4.0 3.9 96.5
train_step 15 _dlc_train_step_kernel_20 64x1x1 32x8x1 0 23 3.6 3.4 91.6
train_step 16 _dlc_train_step_kernel_21 8x49x1 16x4x1 0 23 10.0 9.6 236.9
train_step 17 _dlc_train_step_kernel_22 2x1x1 256x1x1 0 23 3.3 3.0 82.1
train_step 18 _dlc_train_step_kernel_23 8x8x1 16x16x1 0 23 11.4 10.8 264.0
train_step 19 _dlc_train_step_kernel_24 2x1x1 256x1x1 0 23 3.6 3.1 83.7
train_step 20 _dlc_train_step_kernel_25 1x8x1 5x16x1 0 23 9.0 8.8 210.3
train_step 21 _dlc_train_step_kernel_26 1x1x1 256x1x1 0 23 3.3 3.0 75.9
# train_step: 22 kernel launches a call, medians summing to 166.1 us
# train_cnn
# dlc CUDA profile: each kernel launch of a call, timed by events around it on the call's stream
# entry launch kernel grid block shared-bytes calls median-us min-us total-us
train_step 0 _dlc_train_step_kernel 225x1x1 256x1x1 0 23 7.5 5.3 191.4
train_step 1 _dlc_train_step_kernel_12 6272x1x1 256x1x1 0 23 12.9 11.3 298.7
train_step 2 _dlc_train_step_kernel_13 6272x1x1 256x1x1 0 23 7.8 7.5 183.1
train_step 3 _dlc_train_step_kernel_14 1568x1x1 256x1x1 0 23 5.3 4.8 125.1
train_step 4 _dlc_train_step_kernel_15 2048x1x1 256x1x1 0 23 5.0 4.8 121.6
train_step 5 _dlc_train_step_kernel_16 14112x1x1 256x1x1 0 23 14.0 13.2 329.4
train_step 6 _dlc_train_step_kernel_17 196x1x1 16x16x1 0 23 27.2 26.9 632.0
train_step 7 _dlc_train_step_kernel_18 3136x1x1 256x1x1 0 23 6.0 5.5 140.1
train_step 8 _dlc_train_step_kernel_19 784x1x1 256x1x1 0 23 4.4 4.1 103.9
train_step 9 _dlc_train_step_kernel_20 160x1x1 256x1x1 0 23 6.8 6.3 159.7
train_step 10 _dlc_train_step_kernel_21 80x1x1 32x8x1 0 23 3.7 3.5 90.8
train_step 11 _dlc_train_step_kernel_22 3x1x1 256x1x1 0 23 3.5 3.3 83.1
train_step 12 _dlc_train_step_kernel_23 8x1x1 32x8x1 0 23 4.4 4.0 107.0
train_step 13 _dlc_train_step_kernel_24 1x1x1 32x1x1 0 23 3.7 3.4 89.4
train_step 14 _dlc_train_step_kernel_25 8x1x1 32x8x1 0 23 4.6 3.9 110.3
train_step 15 _dlc_train_step_kernel_26 2x1x1 256x1x1 0 23 3.8 3.2 93.4
train_step 16 _dlc_train_step_kernel_27 5x1x1 32x2x1 0 23 3.8 3.2 94.8
train_step 17 _dlc_train_step_kernel_28 49x1x1 16x16x1 0 23 10.7 10.0 256.1
train_step 18 _dlc_train_step_kernel_29 3136x1x1 256x1x1 0 23 7.6 7.4 181.0
train_step 19 _dlc_train_step_kernel_30 512x1x1 32x8x1 0 23 6.2 6.0 145.1
train_step 20 _dlc_train_step_kernel_31 8x1x1 256x1x1 0 23 3.7 3.5 93.3
train_step 21 _dlc_train_step_kernel_32 8x1x1 32x8x1 0 23 4.0 3.4 106.1
train_step 22 _dlc_train_step_kernel_33 72x1x1 256x1x1 0 23 4.7 3.4 116.9
train_step 23 _dlc_train_step_kernel_34 28224x1x1 256x1x1 0 23 33.1 32.0 779.0
train_step 24 _dlc_train_step_kernel_35 196x1x1 16x8x1 0 23 30.6 30.1 704.1
train_step 25 _dlc_train_step_kernel_36 14112x1x1 256x1x1 0 23 16.0 15.1 367.8
train_step 26 _dlc_train_step_kernel_37 2x7x64 224x1x1 0 23 6.0 5.4 139.3
train_step 27 _dlc_train_step_kernel_38 1x9x16 16x8x1 0 23 39.8 39.2 917.2
train_step 28 _dlc_train_step_kernel_39 72x1x1 256x1x1 0 23 4.3 3.8 99.2
train_step 29 _dlc_train_step_kernel_40 6272x1x1 256x1x1 0 23 12.3 11.7 284.5
train_step 30 _dlc_train_step_kernel_41 256x1x1 32x8x1 0 23 8.8 8.3 202.3
train_step 31 _dlc_train_step_kernel_42 4x1x1 256x1x1 0 23 4.1 3.7 95.7
train_step 32 _dlc_train_step_kernel_43 4x1x1 32x8x1 0 23 3.9 3.5 88.8
train_step 33 _dlc_train_step_kernel_44 1764x1x1 256x1x1 0 23 5.5 5.0 127.0
train_step 34 _dlc_train_step_kernel_45 1x49x64 256x1x1 0 23 7.8 7.1 176.6
train_step 35 _dlc_train_step_kernel_46 504x1x1 256x1x1 0 23 10.6 10.3 247.4
train_step 36 _dlc_train_step_kernel_47 36x1x1 32x8x1 0 23 3.8 3.8 91.9
train_step 37 _dlc_train_step_kernel_48 2x1x1 256x1x1 0 23 3.6 3.6 85.6
train_step 38 _dlc_train_step_kernel_49 1x1x1 256x1x1 0 23 3.3 3.3 81.8
train_step 39 _dlc_train_step_kernel_50 72x1x1 256x1x1 0 23 4.0 4.0 96.4
train_step 40 _dlc_train_step_kernel_51 1x1x1 256x1x1 0 23 3.6 3.6 84.1
train_step 41 _dlc_train_step_kernel_52 1x49x1 5x16x1 0 23 10.6 10.0 248.0
train_step 42 _dlc_train_step_kernel_53 1x1x1 256x1x1 0 23 3.4 3.3 79.6
# train_step: 43 kernel launches a call, medians summing to 376.3 us
