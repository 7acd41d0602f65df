# train_mlp
# dlc CUDA profile: each kernel launch of a call, timed by events around it on the call's stream
# entry launch kernel grid block shared-bytes calls median-us min-us total-us
train_step 0 _dlc_train_step_kernel 16x4x1 16x16x1 0 23 24.6 23.5 580.6
train_step 1 _dlc_train_step_kernel_6 16x4x1 16x16x1 0 23 15.7 15.3 367.6
train_step 2 _dlc_train_step_kernel_7 160x1x1 256x1x1 0 23 5.0 4.5 119.4
train_step 3 _dlc_train_step_kernel_8 160x1x1 32x8x1 0 23 3.6 3.4 90.3
train_step 4 _dlc_train_step_kernel_9 5x1x1 256x1x1 0 23 3.6 3.1 87.1
train_step 5 _dlc_train_step_kernel_10 16x1x1 32x8x1 0 23 3.8 3.7 95.2
train_step 6 _dlc_train_step_kernel_11 1x1x1 32x1x1 0 23 3.3 3.2 82.1
train_step 7 _dlc_train_step_kernel_12 16x1x1 32x8x1 0 23 4.4 3.8 101.5
train_step 8 _dlc_train_step_kernel_13 2x1x1 256x1x1 0 23 3.5 3.2 84.2
train_step 9 _dlc_train_step_kernel_14 5x1x1 32x2x1 0 23 3.7 3.0 86.5
train_step 10 _dlc_train_step_kernel_15 16x4x1 16x16x1 0 23 4.7 4.3 113.7
train_step 11 _dlc_train_step_kernel_16 64x1x1 256x1x1 0 23 3.9 3.7 97.5
train_step 12 _dlc_train_step_kernel_17 64x1x1 32x8x1 0 23 3.7 3.4 88.7
train_step 13 _dlc_train_step_kernel_18 16x4x1 16x16x1 0 23 20.6 20.0 477.6
train_step 14 _dlc_train_step_kernel_19 64x1x1 256x1x1 0 23 4.0 3.8 95.4
train_step 15 _dlc_train_step_kernel_20 64x1x1 32x8x1 0 23 3.5 3.3 84.7
train_step 16 _dlc_train_step_kernel_21 8x49x1 16x4x1 0 23 9.7 9.5 232.4
train_step 17 _dlc_train_step_kernel_22 2x1x1 256x1x1 0 23 3.1 3.0 74.0
train_step 18 _dlc_train_step_kernel_23 8x8x1 16x16x1 0 23 9.6 9.4 224.4
train_step 19 _dlc_train_step_kernel_24 2x1x1 256x1x1 0 23 3.1 3.1 73.7
train_step 20 _dlc_train_step_kernel_25 1x8x1 5x16x1 0 23 8.9 8.8 207.7
train_step 21 _dlc_train_step_kernel_26 1x1x1 256x1x1 0 23 3.1 3.1 73.1
# train_step: 22 kernel launches a call, medians summing to 149.0 us
# train_cnn
# dlc CUDA profile: each kernel launch of a call, timed by events around it on the call's stream
# entry launch kernel grid block shared-bytes calls median-us min-us total-us
train_step 0 _dlc_train_step_kernel 225x1x1 256x1x1 0 23 7.8 6.7 204.2
train_step 1 _dlc_train_step_kernel_12 6272x1x1 256x1x1 0 23 13.4 12.7 310.0
train_step 2 _dlc_train_step_kernel_13 6272x1x1 256x1x1 0 23 7.7 7.5 182.0
train_step 3 _dlc_train_step_kernel_14 1568x1x1 256x1x1 0 23 5.3 4.8 138.1
train_step 4 _dlc_train_step_kernel_15 2048x1x1 256x1x1 0 23 5.0 4.7 141.8
train_step 5 _dlc_train_step_kernel_16 14112x1x1 256x1x1 0 23 14.0 13.2 337.7
train_step 6 _dlc_train_step_kernel_17 196x1x1 16x16x1 0 23 27.2 26.8 630.1
train_step 7 _dlc_train_step_kernel_18 3136x1x1 256x1x1 0 23 5.7 5.4 134.8
train_step 8 _dlc_train_step_kernel_19 784x1x1 256x1x1 0 23 4.4 4.1 108.3
train_step 9 _dlc_train_step_kernel_20 160x1x1 256x1x1 0 23 6.9 6.3 160.7
train_step 10 _dlc_train_step_kernel_21 80x1x1 32x8x1 0 23 3.7 3.5 90.4
train_step 11 _dlc_train_step_kernel_22 3x1x1 256x1x1 0 23 3.5 3.3 85.9
train_step 12 _dlc_train_step_kernel_23 8x1x1 32x8x1 0 23 4.3 4.1 109.0
train_step 13 _dlc_train_step_kernel_24 1x1x1 32x1x1 0 23 3.7 3.3 90.6
train_step 14 _dlc_train_step_kernel_25 8x1x1 32x8x1 0 23 4.3 3.9 107.5
train_step 15 _dlc_train_step_kernel_26 2x1x1 256x1x1 0 23 3.7 3.3 97.0
train_step 16 _dlc_train_step_kernel_27 5x1x1 32x2x1 0 23 3.7 3.3 96.7
train_step 17 _dlc_train_step_kernel_28 49x1x1 16x16x1 0 23 10.8 10.0 260.1
train_step 18 _dlc_train_step_kernel_29 3136x1x1 256x1x1 0 23 7.9 7.4 183.8
train_step 19 _dlc_train_step_kernel_30 512x1x1 32x8x1 0 23 6.3 6.0 149.9
train_step 20 _dlc_train_step_kernel_31 8x1x1 256x1x1 0 23 3.7 3.5 95.1
train_step 21 _dlc_train_step_kernel_32 8x1x1 32x8x1 0 23 3.9 3.4 112.5
train_step 22 _dlc_train_step_kernel_33 72x1x1 256x1x1 0 23 4.0 3.4 115.3
train_step 23 _dlc_train_step_kernel_34 28224x1x1 256x1x1 0 23 34.6 32.0 785.5
train_step 24 _dlc_train_step_kernel_35 196x1x1 16x8x1 0 23 30.5 30.1 702.6
train_step 25 _dlc_train_step_kernel_36 14112x1x1 256x1x1 0 23 15.6 15.0 359.1
train_step 26 _dlc_train_step_kernel_37 2x7x64 224x1x1 0 23 6.0 5.5 149.1
train_step 27 _dlc_train_step_kernel_38 1x9x16 16x8x1 0 23 40.0 39.0 920.2
train_step 28 _dlc_train_step_kernel_39 72x1x1 256x1x1 0 23 4.2 3.6 96.6
train_step 29 _dlc_train_step_kernel_40 6272x1x1 256x1x1 0 23 11.9 11.2 279.0
train_step 30 _dlc_train_step_kernel_41 256x1x1 32x8x1 0 23 8.8 8.1 203.5
train_step 31 _dlc_train_step_kernel_42 4x1x1 256x1x1 0 23 4.1 3.6 96.6
train_step 32 _dlc_train_step_kernel_43 4x1x1 32x8x1 0 23 3.8 3.2 97.8
train_step 33 _dlc_train_step_kernel_44 1764x1x1 256x1x1 0 23 5.5 4.9 127.6
train_step 34 _dlc_train_step_kernel_45 1x49x64 256x1x1 0 23 7.5 6.8 175.8
train_step 35 _dlc_train_step_kernel_46 504x1x1 256x1x1 0 23 10.5 10.3 244.3
train_step 36 _dlc_train_step_kernel_47 36x1x1 32x8x1 0 23 3.7 3.7 90.2
train_step 37 _dlc_train_step_kernel_48 2x1x1 256x1x1 0 23 3.5 3.5 86.6
train_step 38 _dlc_train_step_kernel_49 1x1x1 256x1x1 0 23 3.3 3.2 78.6
train_step 39 _dlc_train_step_kernel_50 72x1x1 256x1x1 0 23 4.1 3.9 99.5
train_step 40 _dlc_train_step_kernel_51 1x1x1 256x1x1 0 23 3.5 3.5 83.7
train_step 41 _dlc_train_step_kernel_52 1x49x1 5x16x1 0 23 10.6 10.2 246.6
train_step 42 _dlc_train_step_kernel_53 1x1x1 256x1x1 0 23 3.3 3.2 78.6
# train_step: 43 kernel launches a call, medians summing to 375.6 us
