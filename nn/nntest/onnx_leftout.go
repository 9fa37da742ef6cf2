package nntest

// onnxLeftOut lists the ONNX node test cases (<suite>/<case> under
// testdata/onnx) that RunONNX skips because nn.Backend cannot express them,
// with the reason. RunONNX keeps it true: a skipped case missing here, a
// listed case that runs (passing or failing) and a listed case that no
// longer exists are all failures.
var onnxLeftOut = map[string]string{
	// 3-D windowed ops: the Backend's convolutions and pooling are 2-D
	// (1-D nodes run exactly as 2-D ones on [N,C,1,L]).
	"node/test_convtranspose_3d":                           "3-D ConvTranspose: the Backend has ConvTranspose2d only",
	"pytorch-converted/test_Conv3d":                        "3-D Conv: the Backend has Conv2d only",
	"pytorch-converted/test_Conv3d_dilated":                "3-D Conv: the Backend has Conv2d only",
	"pytorch-converted/test_Conv3d_dilated_strided":        "3-D Conv: the Backend has Conv2d only",
	"pytorch-converted/test_Conv3d_groups":                 "3-D Conv: the Backend has Conv2d only",
	"pytorch-converted/test_Conv3d_no_bias":                "3-D Conv: the Backend has Conv2d only",
	"pytorch-converted/test_Conv3d_stride":                 "3-D Conv: the Backend has Conv2d only",
	"pytorch-converted/test_Conv3d_stride_padding":         "3-D Conv: the Backend has Conv2d only",
	"pytorch-converted/test_MaxPool3d":                     "3-D MaxPool: the Backend has MaxPool2d only",
	"pytorch-converted/test_MaxPool3d_stride":              "3-D MaxPool: the Backend has MaxPool2d only",
	"pytorch-converted/test_MaxPool3d_stride_padding":      "3-D MaxPool: the Backend has MaxPool2d only",
	"node/test_maxpool_with_argmax_2d_precomputed_pads":    "MaxPool's Indices output: MaxPool2d returns the values only",
	"node/test_maxpool_with_argmax_2d_precomputed_strides": "MaxPool's Indices output: MaxPool2d returns the values only",

	// Element types and shapes the backends do not hold.
	"node/test_maxpool_2d_uint8":            "UINT8 data: backends compute in float32 or float64",
	"node/test_reshape_allowzero_reordered": "zero-size tensors [0,3,4] -> [3,4,0]: gorgonia.org/tensor cannot hold them",

	// Resize cases that Backend.Upsample (whole-factor pixel repetition)
	// cannot compute exactly.
	"node/test_resize_downsample_scales_nearest": "scales 0.6: downsampling, and Upsample only enlarges",
	"node/test_resize_downsample_sizes_nearest":  "sizes [1,1,1,3] from [1,1,2,4]: downsampling, and Upsample only enlarges",
	"node/test_resize_upsample_sizes_nearest":    "sizes [1,1,7,8] from [1,1,2,2]: height factor 3.5 is not whole",
	"node/test_resize_upsample_sizes_nearest_ceil_half_pixel": "half_pixel with nearest_mode ceil: output 1 reads input 1, " +
		"not a repetition of each pixel",
	"node/test_resize_upsample_sizes_nearest_floor_align_corners": "align_corners (o*3/7) with floor: output 2 reads input 0, " +
		"not a repetition of each pixel",
	"node/test_resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric": "asymmetric (o/2) with round_prefer_ceil: output 1 " +
		"reads input 1, not a repetition of each pixel",
}
