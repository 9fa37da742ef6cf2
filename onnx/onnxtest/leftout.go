package onnxtest

// SystemRoot is where Debian's libonnx-testdata (ONNX 1.12) puts the ONNX
// backend node test cases.
const SystemRoot = "/usr/share/libonnx-testdata/data/node"

// ShapeRoot holds the node cases of the shape-arithmetic operators (Shape,
// Gather, Unsqueeze, Squeeze, Constant, Identity, Cast), copied from
// SystemRoot into package onnx's testdata, relative to package onnx's
// folder (package cuda's too: both sit one level below the module root).
const ShapeRoot = "../onnx/testdata/node"

// LeftOutCommitted lists the cases under testdata/onnx whose operators are
// all supported but which the package refuses or cannot compute, with the
// reason. RunCases keeps it true.
var LeftOutCommitted = map[string]string{
	"node/test_convtranspose_3d":                                           "3-D window: the backend's Conv, ConvTranspose and MaxPool are 2-D",
	"node/test_maxpool_2d_uint8":                                           "UINT8 data: the backends compute in float32 or float64",
	"node/test_maxpool_with_argmax_2d_precomputed_pads":                    "MaxPool's Indices output: the backend returns the values only",
	"node/test_maxpool_with_argmax_2d_precomputed_strides":                 "MaxPool's Indices output: the backend returns the values only",
	"node/test_reshape_allowzero_reordered":                                "zero-size tensor [0,3,4]: gorgonia.org/tensor cannot hold it",
	"node/test_resize_downsample_scales_nearest":                           "nearest Resize that is not a whole-factor pixel repetition",
	"node/test_resize_downsample_sizes_nearest":                            "nearest Resize that is not a whole-factor pixel repetition",
	"node/test_resize_upsample_sizes_nearest":                              "nearest Resize that is not a whole-factor pixel repetition",
	"node/test_resize_upsample_sizes_nearest_ceil_half_pixel":              "nearest Resize that is not a whole-factor pixel repetition",
	"node/test_resize_upsample_sizes_nearest_floor_align_corners":          "nearest Resize that is not a whole-factor pixel repetition",
	"node/test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric": "nearest Resize that is not a whole-factor pixel repetition",
	"pytorch-converted/test_Conv3d":                                        "3-D window: the backend's Conv, ConvTranspose and MaxPool are 2-D",
	"pytorch-converted/test_Conv3d_dilated":                                "3-D window: the backend's Conv, ConvTranspose and MaxPool are 2-D",
	"pytorch-converted/test_Conv3d_dilated_strided":                        "3-D window: the backend's Conv, ConvTranspose and MaxPool are 2-D",
	"pytorch-converted/test_Conv3d_groups":                                 "3-D window: the backend's Conv, ConvTranspose and MaxPool are 2-D",
	"pytorch-converted/test_Conv3d_no_bias":                                "3-D window: the backend's Conv, ConvTranspose and MaxPool are 2-D",
	"pytorch-converted/test_Conv3d_stride":                                 "3-D window: the backend's Conv, ConvTranspose and MaxPool are 2-D",
	"pytorch-converted/test_Conv3d_stride_padding":                         "3-D window: the backend's Conv, ConvTranspose and MaxPool are 2-D",
	"pytorch-converted/test_MaxPool3d":                                     "3-D window: the backend's Conv, ConvTranspose and MaxPool are 2-D",
	"pytorch-converted/test_MaxPool3d_stride":                              "3-D window: the backend's Conv, ConvTranspose and MaxPool are 2-D",
	"pytorch-converted/test_MaxPool3d_stride_padding":                      "3-D window: the backend's Conv, ConvTranspose and MaxPool are 2-D",
}

// LeftOutSystem is the same for SystemRoot.
var LeftOutSystem = map[string]string{
	"test_add_uint8":                                                  "UINT8 data: the backends compute in float32 or float64",
	"test_cast_BFLOAT16_to_FLOAT":                                     "FLOAT16/BFLOAT16 data are not supported",
	"test_cast_DOUBLE_to_FLOAT16":                                     "FLOAT16/BFLOAT16 data are not supported",
	"test_cast_FLOAT16_to_DOUBLE":                                     "FLOAT16/BFLOAT16 data are not supported",
	"test_cast_FLOAT16_to_FLOAT":                                      "FLOAT16/BFLOAT16 data are not supported",
	"test_cast_FLOAT_to_BFLOAT16":                                     "FLOAT16/BFLOAT16 data are not supported",
	"test_cast_FLOAT_to_FLOAT16":                                      "FLOAT16/BFLOAT16 data are not supported",
	"test_cast_FLOAT_to_STRING":                                       "STRING data are not supported",
	"test_cast_STRING_to_FLOAT":                                       "STRING data are not supported",
	"test_castlike_BFLOAT16_to_FLOAT_expanded":                        "FLOAT16/BFLOAT16 data are not supported",
	"test_castlike_DOUBLE_to_FLOAT16_expanded":                        "FLOAT16/BFLOAT16 data are not supported",
	"test_castlike_FLOAT16_to_DOUBLE_expanded":                        "FLOAT16/BFLOAT16 data are not supported",
	"test_castlike_FLOAT16_to_FLOAT_expanded":                         "FLOAT16/BFLOAT16 data are not supported",
	"test_castlike_FLOAT_to_BFLOAT16_expanded":                        "FLOAT16/BFLOAT16 data are not supported",
	"test_castlike_FLOAT_to_FLOAT16_expanded":                         "FLOAT16/BFLOAT16 data are not supported",
	"test_castlike_FLOAT_to_STRING_expanded":                          "STRING data are not supported",
	"test_castlike_STRING_to_FLOAT_expanded":                          "STRING data are not supported",
	"test_convtranspose_3d":                                           "3-D window: the backend's Conv, ConvTranspose and MaxPool are 2-D",
	"test_div_uint8":                                                  "UINT8 data: the backends compute in float32 or float64",
	"test_identity_opt":                                               "an optional-typed value, not a tensor",
	"test_identity_sequence":                                          "a sequence-typed value, not a tensor",
	"test_maxpool_2d_uint8":                                           "UINT8 data: the backends compute in float32 or float64",
	"test_maxpool_3d_default":                                         "3-D window: the backend's Conv, ConvTranspose and MaxPool are 2-D",
	"test_maxpool_with_argmax_2d_precomputed_pads":                    "MaxPool's Indices output: the backend returns the values only",
	"test_maxpool_with_argmax_2d_precomputed_strides":                 "MaxPool's Indices output: the backend returns the values only",
	"test_mul_uint8":                                                  "UINT8 data: the backends compute in float32 or float64",
	"test_reshape_allowzero_reordered":                                "zero-size tensor [0,3,4]: gorgonia.org/tensor cannot hold it",
	"test_resize_downsample_scales_cubic":                             "cubic Resize: only nearest repetition",
	"test_resize_downsample_scales_cubic_A_n0p5_exclude_outside":      "cubic Resize: only nearest repetition",
	"test_resize_downsample_scales_cubic_align_corners":               "cubic Resize: only nearest repetition",
	"test_resize_downsample_scales_linear":                            "linear Resize: only nearest repetition",
	"test_resize_downsample_scales_linear_align_corners":              "linear Resize: only nearest repetition",
	"test_resize_downsample_scales_nearest":                           "nearest Resize that is not a whole-factor pixel repetition",
	"test_resize_downsample_sizes_cubic":                              "cubic Resize: only nearest repetition",
	"test_resize_downsample_sizes_linear_pytorch_half_pixel":          "linear Resize: only nearest repetition",
	"test_resize_downsample_sizes_nearest":                            "nearest Resize that is not a whole-factor pixel repetition",
	"test_resize_downsample_sizes_nearest_tf_half_pixel_for_nn":       "nearest Resize that is not a whole-factor pixel repetition",
	"test_resize_tf_crop_and_resize":                                  "linear Resize: only nearest repetition",
	"test_resize_upsample_scales_cubic":                               "cubic Resize: only nearest repetition",
	"test_resize_upsample_scales_cubic_A_n0p5_exclude_outside":        "cubic Resize: only nearest repetition",
	"test_resize_upsample_scales_cubic_align_corners":                 "cubic Resize: only nearest repetition",
	"test_resize_upsample_scales_cubic_asymmetric":                    "cubic Resize: only nearest repetition",
	"test_resize_upsample_scales_linear":                              "linear Resize: only nearest repetition",
	"test_resize_upsample_scales_linear_align_corners":                "linear Resize: only nearest repetition",
	"test_resize_upsample_sizes_cubic":                                "cubic Resize: only nearest repetition",
	"test_resize_upsample_sizes_nearest":                              "nearest Resize that is not a whole-factor pixel repetition",
	"test_resize_upsample_sizes_nearest_ceil_half_pixel":              "nearest Resize that is not a whole-factor pixel repetition",
	"test_resize_upsample_sizes_nearest_floor_align_corners":          "nearest Resize that is not a whole-factor pixel repetition",
	"test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric": "nearest Resize that is not a whole-factor pixel repetition",
	"test_sub_uint8":                                                  "UINT8 data: the backends compute in float32 or float64",
}
