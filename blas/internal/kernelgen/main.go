// Command kernelgen writes the amd64 GEMM micro-kernels of package blas
// (kernels_amd64.s and kernels_amd64.go). Run it with `go generate` in
// package blas; the generated files are committed.
//
// Each micro-kernel computes one MR×NR tile of C from a packed A
// micro-panel (k steps of MR elements, A[i][p] at a[p*MR+i]) and a packed B
// micro-panel (k steps of NR elements, B[p][j] at b[p*NR+j]):
//
//	acc = Σ_p a[p*MR+i] * b[p*NR+j]     (one FMA chain per element, p ascending)
//	C[i][j] = alpha*acc                 (loadc == 0: C is never read)
//	C[i][j] = alpha*acc + beta*C[i][j]  (loadc != 0, rounded as fma(acc, alpha, beta*C))
//
// The accumulators live in MR*NV vector registers (NV vectors per row), the
// B row of each k step in NV registers, and each A element is broadcast into
// one of two alternating registers.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
)

type spec struct {
	name   string
	double bool // float64 elements
	zmm    bool // 512-bit vectors (AVX-512F); else 256-bit (AVX2+FMA)
	mr, nv int  // rows of the tile, vectors per row
	pmr    int  // rows of the packed A panel (>= mr; 0 means mr)
	unroll int  // k steps per loop iteration
	prefA  int  // prefetch distance for A in bytes (0: none)
	prefB  int  // prefetch distance for B in bytes (0: none)
}

func (s spec) es() int {
	if s.double {
		return 8
	}
	return 4
}
func (s spec) vb() int {
	if s.zmm {
		return 64
	}
	return 32
}
func (s spec) nr() int { return s.nv * s.vb() / s.es() }

// astep is the number of A elements per k step of the packed panel.
func (s spec) astep() int { return max(s.mr, s.pmr) }

func (s spec) reg(i int) string {
	if s.zmm {
		return fmt.Sprintf("Z%d", i)
	}
	return fmt.Sprintf("Y%d", i)
}

func (s spec) sfx() string {
	if s.double {
		return "PD"
	}
	return "PS"
}

func (s spec) bcast() string {
	if s.double {
		return "VBROADCASTSD"
	}
	return "VBROADCASTSS"
}

// specs lists the kernels: for the production shapes (6×64 and 6×32 on
// AVX-512, 6×16 and 6×8 on AVX2) one kernel per row count 1..MR, so that
// the last rows of C need no padding; 14×32, 8×48, 14×16 and 8×24 are the
// alternatives that BenchmarkTune compares.
var specs = func() []spec {
	var s []spec
	rows := func(prefix string, double, zmm bool, mr, nv int, isa string) {
		nr := nv * 32 / 4
		if zmm {
			nr *= 2
		}
		if double {
			nr /= 2
		}
		for r := 1; r <= mr; r++ {
			s = append(s, spec{name: fmt.Sprintf("%sKernel%dx%d%s", prefix, r, nr, isa), double: double, zmm: zmm, mr: r, pmr: mr, nv: nv, unroll: 4})
		}
	}
	rows("sgemm", false, true, 6, 4, "AVX512")
	rows("dgemm", true, true, 6, 4, "AVX512")
	rows("sgemm", false, false, 6, 2, "AVX2")
	rows("dgemm", true, false, 6, 2, "AVX2")
	s = append(s,
		spec{name: "sgemmKernel14x32AVX512", zmm: true, mr: 14, nv: 2, unroll: 4},
		spec{name: "sgemmKernel8x48AVX512", zmm: true, mr: 8, nv: 3, unroll: 4},
		spec{name: "dgemmKernel14x16AVX512", double: true, zmm: true, mr: 14, nv: 2, unroll: 4},
		spec{name: "dgemmKernel8x24AVX512", double: true, zmm: true, mr: 8, nv: 3, unroll: 4},
	)
	return s
}()

func gen(w *bytes.Buffer, s spec) {
	es, nr := s.es(), s.nr()
	nacc := s.mr * s.nv
	nregs := 16
	if s.zmm {
		nregs = 32
	}
	if nacc+s.nv+2 > nregs {
		log.Fatalf("%s: %d registers needed, %d available", s.name, nacc+s.nv+2, nregs)
	}
	acc := func(i, v int) string { return s.reg(i*s.nv + v) }
	breg := func(v int) string { return s.reg(nacc + v) }
	creg := func(i int) string { return s.reg(nacc + s.nv + i%2) }

	args := 56
	betaOff, loadcOff := 44, 48
	if s.double {
		args, betaOff, loadcOff = 64, 48, 56
	}
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }

	p("// func %s(k int, a, b, c *%s, ldc int, alpha, beta %s, loadc int)", s.name, s.typ(), s.typ())
	p("TEXT ·%s(SB), NOSPLIT, $0-%d", s.name, args)
	p("\tMOVQ k+0(FP), CX")
	p("\tMOVQ a+8(FP), SI")
	p("\tMOVQ b+16(FP), DI")
	p("\tMOVQ c+24(FP), DX")
	p("\tMOVQ ldc+32(FP), R8")
	p("\tSHLQ $%d, R8", map[int]int{4: 2, 8: 3}[es])
	// Prefetch the C tile: first and last byte of every row.
	p("\tMOVQ DX, R9")
	for i := 0; i < s.mr; i++ {
		p("\tPREFETCHT0 (R9)")
		p("\tPREFETCHT0 %d(R9)", nr*es-1)
		if i < s.mr-1 {
			p("\tADDQ R8, R9")
		}
	}
	for i := 0; i < nacc; i++ {
		if s.zmm {
			p("\tVPXORD %s, %s, %s", s.reg(i), s.reg(i), s.reg(i))
		} else {
			p("\tVXORPS %s, %s, %s", s.reg(i), s.reg(i), s.reg(i))
		}
	}
	step := func(u int) {
		aoff := u * s.astep() * es
		boff := u * nr * es
		for v := 0; v < s.nv; v++ {
			p("\tVMOVUP%s %d(DI), %s", s.sfx()[1:], boff+v*s.vb(), breg(v))
		}
		for i := 0; i < s.mr; i++ {
			p("\t%s %d(SI), %s", s.bcast(), aoff+i*es, creg(i))
			for v := 0; v < s.nv; v++ {
				p("\tVFMADD231%s %s, %s, %s", s.sfx(), breg(v), creg(i), acc(i, v))
			}
		}
	}
	u := s.unroll
	p("\tCMPQ CX, $%d", u)
	p("\tJLT %s_tail", s.name)
	p("%s_loop:", s.name)
	if s.prefA > 0 {
		p("\tPREFETCHT0 %d(SI)", s.prefA)
	}
	if s.prefB > 0 {
		p("\tPREFETCHT0 %d(DI)", s.prefB)
	}
	for i := 0; i < u; i++ {
		step(i)
	}
	p("\tADDQ $%d, SI", u*s.astep()*es)
	p("\tADDQ $%d, DI", u*nr*es)
	p("\tSUBQ $%d, CX", u)
	p("\tCMPQ CX, $%d", u)
	p("\tJGE %s_loop", s.name)
	p("%s_tail:", s.name)
	p("\tTESTQ CX, CX")
	p("\tJEQ %s_store", s.name)
	p("%s_loop1:", s.name)
	step(0)
	p("\tADDQ $%d, SI", s.astep()*es)
	p("\tADDQ $%d, DI", nr*es)
	p("\tDECQ CX")
	p("\tJNE %s_loop1", s.name)
	p("%s_store:", s.name)
	alpha, beta, tmp := s.reg(nacc), s.reg(nacc+1), s.reg(nacc+2)
	p("\t%s alpha+40(FP), %s", s.bcast(), alpha)
	p("\tMOVQ DX, R9")
	p("\tMOVQ loadc+%d(FP), AX", loadcOff)
	p("\tTESTQ AX, AX")
	p("\tJNE %s_loadc", s.name)
	for i := 0; i < s.mr; i++ {
		for v := 0; v < s.nv; v++ {
			p("\tVMUL%s %s, %s, %s", s.sfx(), alpha, acc(i, v), acc(i, v))
			p("\tVMOVUP%s %s, %d(R9)", s.sfx()[1:], acc(i, v), v*s.vb())
		}
		if i < s.mr-1 {
			p("\tADDQ R8, R9")
		}
	}
	p("\tVZEROUPPER")
	p("\tRET")
	p("%s_loadc:", s.name)
	p("\t%s beta+%d(FP), %s", s.bcast(), betaOff, beta)
	for i := 0; i < s.mr; i++ {
		for v := 0; v < s.nv; v++ {
			p("\tVMUL%s %d(R9), %s, %s", s.sfx(), v*s.vb(), beta, tmp)
			p("\tVFMADD231%s %s, %s, %s", s.sfx(), alpha, acc(i, v), tmp)
			p("\tVMOVUP%s %s, %d(R9)", s.sfx()[1:], tmp, v*s.vb())
		}
		if i < s.mr-1 {
			p("\tADDQ R8, R9")
		}
	}
	p("\tVZEROUPPER")
	p("\tRET")
	p("")
}

func (s spec) typ() string {
	if s.double {
		return "float64"
	}
	return "float32"
}

func main() {
	dir := flag.String("dir", ".", "output directory (package blas)")
	flag.Parse()
	var asm, decl bytes.Buffer
	const hdr = "// Code generated by blas/internal/kernelgen; DO NOT EDIT.\n\n"
	asm.WriteString(hdr + "//go:build !purego\n\n#include \"textflag.h\"\n\n")
	decl.WriteString(hdr + "//go:build !purego\n\npackage blas\n\n")
	for _, s := range specs {
		gen(&asm, s)
		fmt.Fprintf(&decl, "// %s computes one %dx%d tile (see kernelgen).\n//\n//go:noescape\nfunc %s(k int, a, b, c *%s, ldc int, alpha, beta %s, loadc int)\n\n",
			s.name, s.mr, s.nr(), s.name, s.typ(), s.typ())
	}
	if err := os.WriteFile(filepath.Join(*dir, "kernels_amd64.s"), asm.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	// Tables of the row variants: index r holds the kernel of r rows.
	for _, fam := range []struct{ name, prefix, typ, suffix string }{
		{"sgemmRowsAVX512", "sgemmKernel", "float32", "x64AVX512"},
		{"dgemmRowsAVX512", "dgemmKernel", "float64", "x32AVX512"},
		{"sgemmRowsAVX2", "sgemmKernel", "float32", "x16AVX2"},
		{"dgemmRowsAVX2", "dgemmKernel", "float64", "x8AVX2"},
	} {
		fmt.Fprintf(&decl, "// %s[r] is the kernel for tiles of r rows.\nvar %s = []microKernel[%s]{\n\tnil,\n", fam.name, fam.name, fam.typ)
		for _, s := range specs {
			if s.name == fmt.Sprintf("%s%d%s", fam.prefix, s.mr, fam.suffix) {
				fmt.Fprintf(&decl, "\t%s,\n", s.name)
			}
		}
		decl.WriteString("}\n\n")
	}
	out := append(bytes.TrimRight(decl.Bytes(), "\n"), '\n')
	if err := os.WriteFile(filepath.Join(*dir, "kernels_amd64.go"), out, 0o644); err != nil {
		log.Fatal(err)
	}
}
