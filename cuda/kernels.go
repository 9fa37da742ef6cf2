package cuda

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
)

//go:generate sh kernels/gen.sh

// The PTX of cuda/kernels/all.cu, made by kernels/gen.sh with nvcc 11.8 and
// committed, so that building needs no nvcc. The driver JIT-compiles the
// one that suits the card when the engine starts.
var (
	//go:embed ptx/kernels_sm80.ptx
	ptxSM80 string
	//go:embed ptx/kernels_sm90.ptx
	ptxSM90 string
)

// kernel names a kernel of the embedded module. The Go side launches only
// these, with the parameters their signatures give.
type kernel int

const (
	kUnary kernel = iota
	kBinarySame
	kBinaryBcast
	kCopyStrided
	kChannelAffine
	kBiasAdd
	kUpsample
	kMaxPool
	kSoftmax
	kReduceRows
	kReduceCols
	kNorm2
	kIm2col
	kCol2im
	kSgemm
	kRidgeShift
	kSquare
	kLooScore
	kTopK
	numKernels
)

// kernelSpec is a kernel's PTX entry name and its parameters, one letter
// each: i int (.u32), l long long (.u64), f float (.f32), d double (.f64),
// p pointer (.u64).
// TestPTXEntries checks every spec against the .entry declarations of both
// embedded PTX files.
type kernelSpec struct {
	name string
	sig  string
	// barrier: the kernel synchronises its block (__syncthreads), so the
	// host emulation must run its threads as coroutines.
	barrier bool
}

var kernelSpecs = [numKernels]kernelSpec{
	kUnary:         {"unary_f32", "liffpp", false},
	kBinarySame:    {"binary_same_f32", "lippp", false},
	kBinaryBcast:   {"binary_bcast_f32", "li" + "iiiiii" + "llllll" + "llllll" + "ppp", false},
	kCopyStrided:   {"copy_strided_f32", "l" + "iiiiii" + "llllll" + "l" + "llllll" + "l" + "pp", false},
	kChannelAffine: {"channel_affine_f32", "lilpipipp", false},
	kBiasAdd:       {"bias_add_f32", "lilpp", false},
	kUpsample:      {"upsample_nearest_f32", "liiipp", false},
	kMaxPool:       {"maxpool2d_f32", "l" + "iiiiiiiiiiii" + "pp", false},
	kSoftmax:       {"softmax_f32", "iiipp", true},
	kReduceRows:    {"reduce_rows_f32", "ll" + "iiiiii" + "llllll" + "iiiiii" + "llllll" + "fpp", true},
	kReduceCols:    {"reduce_cols_f32", "ll" + "iiiiii" + "llllll" + "iiiiii" + "llllll" + "fpp", false},
	kNorm2:         {"norm2_f32", "ifipp", true},
	kIm2col:        {"im2col_f32", "l" + "iiiiiiiiiiiiii" + "plpl", false},
	kCol2im:        {"col2im_f32", "l" + "iiiiiiiiiiiiii" + "plppl", false},
	kSgemm:         {"sgemm_f32", "iiif" + "pili" + "pili" + "f" + "pil", true},
	kRidgeShift:    {"ridge_shift_f64", "iilppipp", false},
	kSquare:        {"square_f64", "lpp", false},
	kLooScore:      {"loo_score_f64", "iilppdpi", true},
	kTopK:          {"topk_rows_f32", "iilppiipp", true},
}

func (k kernel) String() string {
	if k >= 0 && k < numKernels {
		return kernelSpecs[k].name
	}
	return fmt.Sprintf("kernel(%d)", int(k))
}

// Threads per block, as the kernels assume (see kernels/common.cuh and
// kernels/gemm.cu).
const (
	rowThreads  = 256 // ROW_THREADS: softmax, reduce_rows, norm2
	elemThreads = 256 // grid-stride elementwise kernels
	gemmTile    = 64  // GEMM_BM = GEMM_BN
	gemmThreads = 256 // GEMM_THREADS
	maxDims     = 6   // MAXD
	topkThreads = 128 // TOPK_THREADS (kernels/decode.cu)
	topkMax     = 32  // TOPK_MAX: the most neighbours one topk_rows_f32 pass selects
)

// ptxFor returns the PTX for a device of compute capability major.minor.
func ptxFor(major, minor int) (string, error) {
	switch {
	case major >= 9:
		return ptxSM90, nil
	case major == 8:
		return ptxSM80, nil
	}
	return "", fmt.Errorf("cuda: compute capability %d.%d: the kernels need 8.0 or later (A100, H100, ...)", major, minor)
}

var (
	entryRE = regexp.MustCompile(`(?m)^\s*(?:\.visible\s+)?\.entry\s+([A-Za-z_][A-Za-z0-9_$]*)\s*\(([^)]*)\)`)
	paramRE = regexp.MustCompile(`\.param\s+\.(\w+)\s+[A-Za-z_][A-Za-z0-9_$]*`)
)

// ptxEntries parses the .entry declarations of a PTX module: entry name ->
// parameter types (u32, u64, f32, ...).
func ptxEntries(ptx string) map[string][]string {
	out := map[string][]string{}
	for _, m := range entryRE.FindAllStringSubmatch(ptx, -1) {
		var types []string
		for _, p := range paramRE.FindAllStringSubmatch(m[2], -1) {
			types = append(types, p[1])
		}
		out[m[1]] = types
	}
	return out
}

// ptxType is the PTX parameter type of a signature letter.
func ptxType(c byte) string {
	switch c {
	case 'i':
		return "u32"
	case 'f':
		return "f32"
	case 'd':
		return "f64"
	case 'l', 'p':
		return "u64"
	}
	return "?"
}

// checkSpecs compares the kernel specs with a PTX module's entries.
func checkSpecs(ptx string) error {
	entries := ptxEntries(ptx)
	var errs []string
	for _, s := range kernelSpecs {
		types, ok := entries[s.name]
		if !ok {
			errs = append(errs, fmt.Sprintf("no .entry %s", s.name))
			continue
		}
		var want []string
		for i := 0; i < len(s.sig); i++ {
			want = append(want, ptxType(s.sig[i]))
		}
		if strings.Join(types, ",") != strings.Join(want, ",") {
			errs = append(errs, fmt.Sprintf("%s: PTX parameters (%s), Go signature %q wants (%s)",
				s.name, strings.Join(types, ","), s.sig, strings.Join(want, ",")))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("cuda: kernel specs and PTX disagree: %s", strings.Join(errs, "; "))
	}
	return nil
}
