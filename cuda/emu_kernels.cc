//go:build gpuemu && cgo && !gpu

// emu_kernels.cc: the package's CUDA kernels (kernels/all.cu) compiled for
// the host, with an emulation of CUDA's execution model, for the gpuemu
// test build (see emu.go). Blocks run one after another; the threads of a
// block run in turn, as plain calls for kernels without __syncthreads and
// as coroutines that meet at each __syncthreads otherwise. __shared__
// variables become thread-local statics, shared by the coroutines of the
// block that is running. Warp-level behaviour is not emulated (the kernels
// use none).

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utility>
#include <vector>

struct nl_uint3 { unsigned x, y, z; };
static thread_local nl_uint3 threadIdx, blockIdx, blockDim, gridDim;

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static thread_local

// Coroutines: a minimal x86-64 System V context switch (callee-saved
// registers on the stack, stack pointers swapped).
extern "C" void nl_emu_switch(void** save_sp, void* load_sp);
asm(R"(
	.text
	.globl nl_emu_switch
	.type nl_emu_switch,@function
nl_emu_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size nl_emu_switch, .-nl_emu_switch
)");

namespace {

const size_t kStack = 64 << 10;

struct Sched {
	void* sched_sp = nullptr;
	std::vector<void*> sp;
	std::vector<char*> stacks;
	std::vector<int> state; // 0 runnable, 1 at the barrier, 2 finished
	std::vector<nl_uint3> tid;
	int cur = 0;
	void (*thunk)(const uint64_t*) = nullptr;
	const uint64_t* slots = nullptr;
	~Sched() {
		for (char* s : stacks) free(s);
	}
};

thread_local Sched sched;

void coro_entry() {
	Sched& s = sched;
	s.thunk(s.slots);
	s.state[s.cur] = 2;
	nl_emu_switch(&s.sp[s.cur], s.sched_sp);
	abort(); // a finished coroutine is never resumed
}

} // namespace

static void __syncthreads() {
	Sched& s = sched;
	s.state[s.cur] = 1;
	nl_emu_switch(&s.sp[s.cur], s.sched_sp);
}

#include "kernels/all.cu"

namespace {

template <typename T> T slot(uint64_t v) {
	T out;
	memcpy(&out, &v, sizeof(T)); // the low bytes, as the driver reads them
	return out;
}

template <typename... A, size_t... I>
void call(void (*f)(A...), const uint64_t* s, std::index_sequence<I...>) {
	f(slot<A>(s[I])...);
}

template <typename... A> constexpr int arity(void (*)(A...)) { return sizeof...(A); }

struct Entry {
	const char* name;
	void (*thunk)(const uint64_t*);
	int nargs;
};

#define NL_KERNEL(k) {#k, [](const uint64_t* s) { call(k, s, std::make_index_sequence<arity(k)>{}); }, arity(k)},
const Entry kEntries[] = {
	NL_KERNEL(unary_f32)
	NL_KERNEL(binary_same_f32)
	NL_KERNEL(binary_bcast_f32)
	NL_KERNEL(copy_strided_f32)
	NL_KERNEL(channel_affine_f32)
	NL_KERNEL(bias_add_f32)
	NL_KERNEL(upsample_nearest_f32)
	NL_KERNEL(maxpool2d_f32)
	NL_KERNEL(softmax_f32)
	NL_KERNEL(reduce_rows_f32)
	NL_KERNEL(reduce_cols_f32)
	NL_KERNEL(norm2_f32)
	NL_KERNEL(im2col_f32)
	NL_KERNEL(col2im_f32)
	NL_KERNEL(sgemm_f32)
	NL_KERNEL(ridge_shift_f64)
	NL_KERNEL(square_f64)
	NL_KERNEL(loo_score_f64)
	NL_KERNEL(topk_rows_f32)
};

void set_tid(int t) {
	threadIdx.x = t % blockDim.x;
	threadIdx.y = (t / blockDim.x) % blockDim.y;
	threadIdx.z = t / (blockDim.x * blockDim.y);
}

} // namespace

extern "C" {

// nl_emu_launch runs a kernel over a grid; it returns 0, or 1 for an
// unknown kernel, 2 for a parameter count that does not match, 3 for a
// block that never reaches a barrier consistently (deadlock).
int nl_emu_launch(const char* name, int gx, int gy, int gz, int bx, int by, int bz, int barrier,
                  const uint64_t* slots, int nslots) {
	const Entry* e = nullptr;
	for (const Entry& k : kEntries)
		if (strcmp(k.name, name) == 0) e = &k;
	if (!e) return 1;
	if (e->nargs != nslots) return 2;
	Sched& s = sched;
	s.thunk = e->thunk;
	s.slots = slots;
	gridDim = {(unsigned)gx, (unsigned)gy, (unsigned)gz};
	blockDim = {(unsigned)bx, (unsigned)by, (unsigned)bz};
	const int nt = bx * by * bz;
	if (barrier) {
		while ((int)s.stacks.size() < nt) s.stacks.push_back((char*)malloc(kStack));
		s.sp.assign(nt, nullptr);
		s.state.assign(nt, 0);
	}
	for (int z = 0; z < gz; ++z)
		for (int y = 0; y < gy; ++y)
			for (int x = 0; x < gx; ++x) {
				blockIdx = {(unsigned)x, (unsigned)y, (unsigned)z};
				if (!barrier) {
					for (int t = 0; t < nt; ++t) {
						set_tid(t);
						e->thunk(slots);
					}
					continue;
				}
				for (int t = 0; t < nt; ++t) {
					// A fresh stack that "returns" into coro_entry.
					uintptr_t top = ((uintptr_t)(s.stacks[t] + kStack)) & ~(uintptr_t)15;
					void** p = (void**)top;
					*--p = nullptr;              // coro_entry's return address (never used)
					*--p = (void*)&coro_entry;   // popped by nl_emu_switch's ret
					for (int r = 0; r < 6; ++r) *--p = nullptr; // rbp rbx r12-r15
					s.sp[t] = p;
					s.state[t] = 0;
				}
				for (;;) {
					int finished = 0, waiting = 0;
					for (int t = 0; t < nt; ++t) {
						if (s.state[t] == 2) continue;
						s.cur = t;
						s.state[t] = 0;
						set_tid(t);
						nl_emu_switch(&s.sched_sp, s.sp[t]);
					}
					for (int t = 0; t < nt; ++t) {
						finished += s.state[t] == 2;
						waiting += s.state[t] == 1;
					}
					if (finished == nt) break;
					if (finished > 0 && waiting > 0) return 3; // some threads left, others wait
				}
			}
	return 0;
}

// nl_emu_sgemm is cublasSgemmStridedBatched's contract (column-major) in
// plain loops, with its argument checks: status 7 (INVALID_VALUE) for a
// leading dimension cuBLAS would reject.
int nl_emu_sgemm(int ta, int tb, int m, int n, int k, float alpha, uintptr_t A, int lda, long long sA,
                 uintptr_t B, int ldb, long long sB, float beta, uintptr_t C, int ldc, long long sC, int batch) {
	if (m < 0 || n < 0 || k < 0 || batch < 0) return 7;
	if (lda < (ta ? (k > 1 ? k : 1) : (m > 1 ? m : 1))) return 7;
	if (ldb < (tb ? (n > 1 ? n : 1) : (k > 1 ? k : 1))) return 7;
	if (ldc < (m > 1 ? m : 1)) return 7;
	for (int b = 0; b < batch; ++b) {
		const float* a = (const float*)A + b * sA;
		const float* bb = (const float*)B + b * sB;
		float* c = (float*)C + b * sC;
		for (int j = 0; j < n; ++j)
			for (int i = 0; i < m; ++i) {
				double acc = 0;
				for (int l = 0; l < k; ++l) {
					float av = ta ? a[l + (long long)i * lda] : a[i + (long long)l * lda];
					float bv = tb ? bb[j + (long long)l * ldb] : bb[l + (long long)j * ldb];
					acc += (double)av * bv;
				}
				float* cij = c + i + (long long)j * ldc;
				*cij = beta == 0.f ? (float)(alpha * acc) : (float)(alpha * acc) + beta * *cij;
			}
	}
	return 0;
}

// nl_emu_dgemm is cublasDgemm's contract (column-major, one product).
int nl_emu_dgemm(int ta, int tb, int m, int n, int k, double alpha, uintptr_t A, int lda,
                 uintptr_t B, int ldb, double beta, uintptr_t C, int ldc) {
	if (m < 0 || n < 0 || k < 0) return 7;
	if (lda < (ta ? (k > 1 ? k : 1) : (m > 1 ? m : 1))) return 7;
	if (ldb < (tb ? (n > 1 ? n : 1) : (k > 1 ? k : 1))) return 7;
	if (ldc < (m > 1 ? m : 1)) return 7;
	const double* a = (const double*)A;
	const double* bb = (const double*)B;
	double* c = (double*)C;
	for (int j = 0; j < n; ++j)
		for (int i = 0; i < m; ++i) {
			double acc = 0;
			for (int l = 0; l < k; ++l) {
				double av = ta ? a[l + (long long)i * lda] : a[i + (long long)l * lda];
				double bv = tb ? bb[j + (long long)l * ldb] : bb[l + (long long)j * ldb];
				acc += av * bv;
			}
			double* cij = c + i + (long long)j * ldc;
			*cij = beta == 0 ? alpha * acc : alpha * acc + beta * *cij;
		}
	return 0;
}

// nl_emu_dsyrk is cublasDsyrk's contract: C = alpha op(A) op(A)^T + beta C
// on the lower (lower=1) or upper triangle of the n x n C, op(A) n x k; the
// other triangle is not touched.
int nl_emu_dsyrk(int lower, int trans, int n, int k, double alpha, uintptr_t A, int lda,
                 double beta, uintptr_t C, int ldc) {
	if (n < 0 || k < 0) return 7;
	if (lda < (trans ? (k > 1 ? k : 1) : (n > 1 ? n : 1))) return 7;
	if (ldc < (n > 1 ? n : 1)) return 7;
	const double* a = (const double*)A;
	double* c = (double*)C;
	for (int j = 0; j < n; ++j)
		for (int i = lower ? j : 0; i < (lower ? n : j + 1); ++i) {
			double acc = 0;
			for (int l = 0; l < k; ++l) {
				double ai = trans ? a[l + (long long)i * lda] : a[i + (long long)l * lda];
				double aj = trans ? a[l + (long long)j * lda] : a[j + (long long)l * lda];
				acc += ai * aj;
			}
			double* cij = c + i + (long long)j * ldc;
			*cij = beta == 0 ? alpha * acc : alpha * acc + beta * *cij;
		}
	return 0;
}

// nl_emu_ddot is cublasDdot's contract (positive increments).
int nl_emu_ddot(int n, uintptr_t X, int incx, uintptr_t Y, int incy, double* out) {
	if (n < 0 || incx < 1 || incy < 1) return 7;
	const double* x = (const double*)X;
	const double* y = (const double*)Y;
	double acc = 0;
	for (int i = 0; i < n; ++i) acc += x[(long long)i * incx] * y[(long long)i * incy];
	*out = acc;
	return 0;
}

void nl_emu_copy(uintptr_t dst, uintptr_t src, long long n) { memcpy((void*)dst, (const void*)src, (size_t)n); }
void nl_emu_fill32(uintptr_t dst, uint32_t v, long long n) {
	uint32_t* p = (uint32_t*)dst;
	for (long long i = 0; i < n; ++i) p[i] = v;
}
uintptr_t nl_emu_alloc(long long n) {
	void* p = nullptr;
	if (posix_memalign(&p, 256, (size_t)n) != 0) return 0;
	return (uintptr_t)p;
}
void nl_emu_free(uintptr_t p) { free((void*)p); }

} // extern "C"
