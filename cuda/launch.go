package cuda

import "fmt"

// Launch configurations. The kernels are written with grid-stride loops
// or with explicit bounds, so any grid is correct; these choose one that
// fills the card without launching more blocks than work.

// dim3 is a grid or block size.
type dim3 [3]int

// maxGridBlocks caps grid-stride launches: enough blocks to fill any
// current card many times over (132 SMs x 16 resident blocks of 256
// threads on an H100 is about 2,100), few enough to keep launches cheap.
const maxGridBlocks = 1 << 16

// maxGridZ is CUDA's limit on gridDim.z (and gridDim.y).
const maxGridZ = 65535

// elemLaunch is the launch for a grid-stride loop over n elements.
func elemLaunch(n int64) (grid, block dim3) {
	blocks := (n + elemThreads - 1) / elemThreads
	blocks = max(1, min(blocks, maxGridBlocks))
	return dim3{int(blocks), 1, 1}, dim3{elemThreads, 1, 1}
}

// rowLaunch is the launch for one block per row (softmax, reduce_rows).
// rows beyond the grid are looped over by reduce_rows; softmax needs one
// block per row, so callers split larger softmaxes.
func rowLaunch(rows int64) (grid, block dim3) {
	return dim3{int(max(1, min(rows, maxRowBlocks))), 1, 1}, dim3{rowThreads, 1, 1}
}

// maxRowBlocks is the most blocks of a one-block-per-row launch (gridDim.x
// may be up to 2^31-1).
const maxRowBlocks = 1<<31 - 1

// gemmLaunch is the launch of sgemm_f32 for an M x N product, batch times.
func gemmLaunch(m, n, batch int) (grid, block dim3) {
	return dim3{(n + gemmTile - 1) / gemmTile, (m + gemmTile - 1) / gemmTile, batch}, dim3{gemmThreads, 1, 1}
}

// useRowReduce reports whether a reduction of count elements into nOut
// outputs should use one block per output (reduce_rows) rather than one
// thread per output (reduce_cols): long reductions, or too few outputs to
// fill the card with threads.
func useRowReduce(nOut, count int64) bool {
	return count >= 1024 || (count >= 32 && nOut < 8192)
}

// convChunk is how many images one im2col + batched GEMM handles so that
// the column buffer (perImage floats each) stays within budget bytes; at
// least one image.
func convChunk(n int, perImage int64, budget int64) int {
	if perImage <= 0 {
		return max(n, 1)
	}
	c := budget / (perImage * 4)
	return int(max(1, min(int64(n), c)))
}

// splitBatch cuts batch GEMMs into launches of at most maxGridZ.
func splitBatch(batch int) [][2]int {
	var out [][2]int
	for b := 0; b < batch; b += maxGridZ {
		out = append(out, [2]int{b, min(batch, b+maxGridZ)})
	}
	return out
}

// launchInfo is a kernel launch, as reported with a device error.
type launchInfo struct {
	k            kernel
	grid, block  dim3
	valid        bool
	afterLibCall string // the last library call instead, when it came after the launch
}

func (l launchInfo) String() string {
	if l.afterLibCall != "" {
		return l.afterLibCall
	}
	if !l.valid {
		return "none"
	}
	return fmt.Sprintf("kernel %s grid (%d,%d,%d) block (%d,%d,%d)", l.k,
		l.grid[0], l.grid[1], l.grid[2], l.block[0], l.block[1], l.block[2])
}

// launchError is a failed launch, or (in debug mode) a failure found by
// the synchronisation right after it.
type launchError struct {
	at   launchInfo
	step string // "launch" or "synchronising after the launch"
	err  error
}

func (e *launchError) Error() string { return fmt.Sprintf("%s: %s: %v", e.at, e.step, e.err) }
func (e *launchError) Unwrap() error { return e.err }
