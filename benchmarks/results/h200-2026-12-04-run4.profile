# train_mlp
# dlc CUDA profile: each kernel launch of a call, timed by events around it on the call's stream
# entry launch kernel grid block shared-bytes calls median-us min-us total-us
train_step 0 _dlc_train_step_kernel 16x4x1 16x16x1 0 23 26.0 24.2 659.6
train_step 1 _dlc_train_step_kernel_6 16x4x1 16x16x1 0 23 15.5 15.4 374.7
train_step 2 _dlc_train_step_kernel_7 160x1x1 256x1x1 0 23 4.8 4.6 116.7
train_step 3 _dlc_train_step_kernel_8 160x1x1 32x8x1 0 23 3.6 3.5 102.8
train_step 4 _dlc_train_step_kernel_9 5x1x1 256x1x1 0 23 3.5 3.1 152.9
train_step 5 _dlc_train_step_kernel_10 16x1x1 32x8x1 0 23 4.4 3.8 118.2
train_step 6 _dlc_train_step_kernel_11 1x1x1 32x1x1 0 23 4.0 3.2 120.5
train_step 7 _dlc_train_step_kernel_12 16x1x1 32x8x1 0 23 5.1 3.9 155.6
train_step 8 _dlc_train_step_kernel_13 2x1x1 256x1x1 0 23 4.8 3.2 168.2
train_step 9 _dlc_train_step_kernel_14 5x1x1 32x2x1 0 23 5.2 3.1 123.7
train_step 10 _dlc_train_step_kernel_15 16x4x1 16x16x1 0 23 7.2 4.8 162.4
train_step 11 _dlc_train_step_kernel_16 64x1x1 256x1x1 0 23 6.9 4.8 162.8
train_step 12 _dlc_train_step_kernel_17 64x1x1 32x8x1 0 23 5.4 3.3 183.2
train_step 13 _dlc_train_step_kernel_18 16x4x1 16x16x1 0 23 23.3 21.5 555.6
train_step 14 _dlc_train_step_kernel_19 64x1x1 256x1x1 0 23 4.1 3.8 119.3
train_step 15 _dlc_train_step_kernel_20 64x1x1 32x8x1 0 23 3.7 3.4 96.4
train_step 16 _dlc_train_step_kernel_21 8x49x1 16x4x1 0 23 10.4 9.5 248.5
train_step 17 _dlc_train_step_kernel_22 2x1x1 256x1x1 0 23 3.2 3.1 85.0
train_step 18 _dlc_train_step_kernel_23 8x8x1 16x16x1 0 23 10.0 9.5 233.8
train_step 19 _dlc_train_step_kernel_24 2x1x1 256x1x1 0 23 3.4 3.1 92.2
train_step 20 _dlc_train_step_kernel_25 1x8x1 5x16x1 0 23 9.1 8.8 232.8
train_step 21 _dlc_train_step_kernel_26 1x1x1 256x1x1 0 23 3.2 3.0 96.5
# train_step: 22 kernel launches a call, medians summing to 166.9 us
# train_cnn
# dlc CUDA profile: each kernel launch of a call, timed by events around it on the call's stream
# entry launch kernel grid block shared-bytes calls median-us min-us total-us
train_step 0 _dlc_train_step_kernel 225x1x1 256x1x1 0 23 8.7 7.6 239.3
train_step 1 _dlc_train_step_kernel_12 6272x1x1 256x1x1 0 23 13.5 12.6 312.5
train_step 2 _dlc_train_step_kernel_13 6272x1x1 256x1x1 0 23 7.9 7.4 201.2
train_step 3 _dlc_train_step_kernel_14 1568x1x1 256x1x1 0 23 5.3 4.7 128.5
train_step 4 _dlc_train_step_kernel_15 2048x1x1 256x1x1 0 23 4.8 4.7 128.1
train_step 5 _dlc_train_step_kernel_16 14112x1x1 256x1x1 0 23 14.6 13.5 342.3
train_step 6 _dlc_train_step_kernel_17 196x1x1 16x16x1 0 23 26.9 26.6 624.6
train_step 7 _dlc_train_step_kernel_18 3136x1x1 256x1x1 0 23 5.9 5.4 136.1
train_step 8 _dlc_train_step_kernel_19 784x1x1 256x1x1 0 23 4.2 4.1 108.4
train_step 9 _dlc_train_step_kernel_20 160x1x1 256x1x1 0 23 6.7 6.2 157.5
train_step 10 _dlc_train_step_kernel_21 80x1x1 32x8x1 0 23 4.1 3.5 99.1
train_step 11 _dlc_train_step_kernel_22 3x1x1 256x1x1 0 23 3.4 3.2 85.7
train_step 12 _dlc_train_step_kernel_23 8x1x1 32x8x1 0 23 4.5 4.0 104.9
train_step 13 _dlc_train_step_kernel_24 1x1x1 32x1x1 0 23 3.5 3.2 85.7
train_step 14 _dlc_train_step_kernel_25 8x1x1 32x8x1 0 23 4.5 3.9 106.5
train_step 15 _dlc_train_step_kernel_26 2x1x1 256x1x1 0 23 3.6 3.2 87.5
train_step 16 _dlc_train_step_kernel_27 5x1x1 32x2x1 0 23 3.4 3.2 90.8
train_step 17 _dlc_train_step_kernel_28 49x1x1 16x16x1 0 23 11.8 9.9 288.9
train_step 18 _dlc_train_step_kernel_29 3136x1x1 256x1x1 0 23 7.6 7.3 183.0
train_step 19 _dlc_train_step_kernel_30 512x1x1 32x8x1 0 23 6.6 5.9 154.0
train_step 20 _dlc_train_step_kernel_31 8x1x1 256x1x1 0 23 4.2 3.5 98.6
train_step 21 _dlc_train_step_kernel_32 8x1x1 32x8x1 0 23 4.4 3.3 114.2
train_step 22 _dlc_train_step_kernel_33 72x1x1 256x1x1 0 23 5.8 3.4 148.4
train_step 23 _dlc_train_step_kernel_34 28224x1x1 256x1x1 0 23 34.9 32.2 820.4
train_step 24 _dlc_train_step_kernel_35 196x1x1 16x8x1 0 23 30.4 30.0 702.4
train_step 25 _dlc_train_step_kernel_36 14112x1x1 256x1x1 0 23 15.9 15.1 361.4
train_step 26 _dlc_train_step_kernel_37 2x7x64 224x1x1 0 23 5.8 5.3 133.8
train_step 27 _dlc_train_step_kernel_38 1x9x16 16x8x1 0 23 39.6 38.9 913.9
train_step 28 _dlc_train_step_kernel_39 72x1x1 256x1x1 0 23 4.1 3.5 95.0
train_step 29 _dlc_train_step_kernel_40 6272x1x1 256x1x1 0 23 12.1 11.7 287.4
train_step 30 _dlc_train_step_kernel_41 256x1x1 32x8x1 0 23 8.7 8.1 201.7
train_step 31 _dlc_train_step_kernel_42 4x1x1 256x1x1 0 23 4.0 3.4 93.3
train_step 32 _dlc_train_step_kernel_43 4x1x1 32x8x1 0 23 3.8 3.2 96.6
train_step 33 _dlc_train_step_kernel_44 1764x1x1 256x1x1 0 23 5.3 4.7 124.7
train_step 34 _dlc_train_step_kernel_45 1x49x64 256x1x1 0 23 7.3 6.8 170.9
train_step 35 _dlc_train_step_kernel_46 504x1x1 256x1x1 0 23 10.4 10.1 242.7
train_step 36 _dlc_train_step_kernel_47 36x1x1 32x8x1 0 23 3.7 3.7 91.6
train_step 37 _dlc_train_step_kernel_48 2x1x1 256x1x1 0 23 3.7 3.5 89.1
train_step 38 _dlc_train_step_kernel_49 1x1x1 256x1x1 0 23 3.4 3.2 79.8
train_step 39 _dlc_train_step_kernel_50 72x1x1 256x1x1 0 23 4.0 3.8 97.0
train_step 40 _dlc_train_step_kernel_51 1x1x1 256x1x1 0 23 3.5 3.3 82.9
train_step 41 _dlc_train_step_kernel_52 1x49x1 5x16x1 0 23 10.6 10.3 248.3
train_step 42 _dlc_train_step_kernel_53 1x1x1 256x1x1 0 23 3.2 3.2 76.9
# train_step: 43 kernel launches a call, medians summing to 380.3 us
