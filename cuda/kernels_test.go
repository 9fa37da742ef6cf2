package cuda

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/neurolatent/neurolatent/nn"
)

// TestPTXEntries parses the .entry declarations of both embedded PTX
// modules and checks that every kernel the Go side launches is there with
// the parameter types of its Go signature.
func TestPTXEntries(t *testing.T) {
	for name, ptx := range map[string]string{"sm80": ptxSM80, "sm90": ptxSM90} {
		if err := checkSpecs(ptx); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		entries := ptxEntries(ptx)
		if len(entries) != int(numKernels) {
			t.Errorf("%s: %d entries, the Go side knows %d", name, len(entries), numKernels)
		}
		target := regexp.MustCompile(`(?m)^\.target\s+(\w+)`).FindStringSubmatch(ptx)
		if len(target) < 2 || target[1] != "sm_"+name[2:] {
			t.Errorf("%s: .target %v", name, target)
		}
		t.Logf("%s: %d entries, %d bytes", name, len(entries), len(ptx))
	}
	for _, cc := range [][2]int{{8, 0}, {8, 6}, {9, 0}, {10, 0}} {
		if _, err := ptxFor(cc[0], cc[1]); err != nil {
			t.Errorf("%v: %v", cc, err)
		}
	}
	if _, err := ptxFor(7, 5); err == nil {
		t.Error("sm_75 accepted")
	}
}

// TestPTXParser checks the parser on a hand-written declaration.
func TestPTXParser(t *testing.T) {
	ptx := `
.visible .entry foo(
	.param .u64 foo_param_0,
	.param .u32 foo_param_1,
	.param .f32 foo_param_2
)
{
}
.entry bar()
{
}`
	e := ptxEntries(ptx)
	if got := strings.Join(e["foo"], ","); got != "u64,u32,f32" {
		t.Errorf("foo: %q", got)
	}
	if _, ok := e["bar"]; !ok || len(e) != 2 {
		t.Errorf("entries %v", e)
	}
}

// TestKernelConstants checks that the kernels' codes for unary functions
// and binary operations are nn's.
func TestKernelConstants(t *testing.T) {
	src, err := os.ReadFile("kernels/elementwise.cu")
	if err != nil {
		t.Fatal(err)
	}
	defs := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^#define ([UB]_\w+) (\d+)`).FindAllStringSubmatch(string(src), -1) {
		v, _ := strconv.Atoi(m[2])
		defs[m[1]] = v
	}
	want := map[string]int{
		"U_RELU": int(nn.ReLUKind), "U_LEAKY": int(nn.LeakyReLUKind), "U_ELU": int(nn.ELUKind),
		"U_TANH": int(nn.TanhKind), "U_SIGMOID": int(nn.SigmoidKind), "U_EXP": int(nn.ExpKind),
		"U_LOG": int(nn.LogKind), "U_SQRT": int(nn.SqrtKind), "U_SQUARE": int(nn.SquareKind),
		"U_SOFTPLUS": int(nn.SoftplusKind), "U_ABS": int(nn.AbsKind), "U_AFFINE": int(nn.AffineKind),
		"B_ADD": int(nn.AddOp), "B_SUB": int(nn.SubOp), "B_MUL": int(nn.MulOp), "B_DIV": int(nn.DivOp),
	}
	for k, v := range want {
		if defs[k] != v {
			t.Errorf("%s is %d in elementwise.cu, nn has %d", k, defs[k], v)
		}
	}
	if len(defs) != len(want) {
		t.Errorf("elementwise.cu defines %v", defs)
	}
	// The thread counts the Go side launches with are the kernels'.
	common, err := os.ReadFile("kernels/common.cuh")
	if err != nil {
		t.Fatal(err)
	}
	gemm, err := os.ReadFile("kernels/gemm.cu")
	if err != nil {
		t.Fatal(err)
	}
	dec, err := os.ReadFile("kernels/decode.cu")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		src, name string
		want      int
	}{
		{string(common), "ROW_THREADS", rowThreads}, {string(common), "MAXD", maxDims},
		{string(gemm), "GEMM_BM", gemmTile}, {string(gemm), "GEMM_BN", gemmTile}, {string(gemm), "GEMM_THREADS", gemmThreads},
		{string(dec), "TOPK_THREADS", topkThreads}, {string(dec), "TOPK_MAX", topkMax},
	} {
		m := regexp.MustCompile(`(?m)^#define ` + c.name + ` (\d+)`).FindStringSubmatch(c.src)
		if len(m) < 2 || m[1] != strconv.Itoa(c.want) {
			t.Errorf("%s: %v in the kernels, %d on the Go side", c.name, m, c.want)
		}
	}
}

// TestBarrierFlags checks that exactly the kernels that call __syncthreads
// (directly or through block_sum/block_max) are marked so, as the
// emulation relies on it.
func TestBarrierFlags(t *testing.T) {
	var all strings.Builder
	for _, f := range []string{"elementwise.cu", "pool.cu", "conv.cu", "gemm.cu", "decode.cu"} {
		b, err := os.ReadFile("kernels/" + f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	src := all.String()
	for _, s := range kernelSpecs {
		i := strings.Index(src, "void "+s.name+"(")
		if i < 0 {
			t.Errorf("%s not in the sources", s.name)
			continue
		}
		body := src[i:]
		if j := strings.Index(body, "\n}\n"); j >= 0 { // the function ends at a closing brace in column 0
			body = body[:j]
		}
		uses := strings.Contains(body, "__syncthreads") || strings.Contains(body, "block_sum") || strings.Contains(body, "block_max")
		if uses != s.barrier {
			t.Errorf("%s: uses a barrier: %v, marked: %v", s.name, uses, s.barrier)
		}
	}
}

func TestArgs(t *testing.T) {
	a := new(args).i32(-2).i64(-3).f32(1.5).ptr(0xdeadbeef00).flag(true).dims([]int{4, 5}).strides([]int64{7})
	want := []uint64{0xfffffffe, 0xfffffffffffffffd, 0x3fc00000, 0xdeadbeef00, 1, 1, 1, 1, 1, 4, 5, 0, 0, 0, 0, 0, 7}
	if len(a.slots) != len(want) {
		t.Fatalf("%d slots", len(a.slots))
	}
	for i := range want {
		if a.slots[i] != want[i] {
			t.Errorf("slot %d = %#x, want %#x", i, a.slots[i], want[i])
		}
	}
	if string(a.sig) != "ilfpi"+"iiiiii"+"llllll" {
		t.Errorf("signature %q", a.sig)
	}
	// The low four bytes of an int slot read back as the int (little-endian).
	if v := int32(uint32(a.slots[0])); v != -2 {
		t.Errorf("int slot reads %d", v)
	}
	if err := new(args).i64(1).check(kUnary); err == nil {
		t.Error("wrong signature accepted")
	}
	big := new(args).i64(1).i32(1 << 40).f32(0).f32(0).ptr(0).ptr(0)
	if err := big.check(kUnary); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Errorf("int overflow: %v", err)
	}
	ok := new(args).i64(1).i32(1).f32(0).f32(0).ptr(0).ptr(0)
	if err := ok.check(kUnary); err != nil {
		t.Error(err)
	}
}
