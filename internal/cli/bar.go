package cli

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Bar returns a progress bar of n steps on w showing the count, the
// elapsed time and the estimated time left, or nil when w is nil (quiet
// runs). A nil *Bar's methods do nothing, so callers need no checks.
func Bar(w io.Writer, n int, desc string) *ProgressBar {
	if w == nil || n <= 0 {
		return nil
	}
	return &ProgressBar{w: w, b: progressbar.NewOptions(n,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(24),
	)}
}

// ProgressBar wraps progressbar's bar so a nil one is a no-op.
type ProgressBar struct {
	w io.Writer
	b *progressbar.ProgressBar
}

// Add advances the bar by n steps.
func (p *ProgressBar) Add(n int) {
	if p != nil {
		_ = p.b.Add(n)
	}
}

// Finish completes the bar and ends its line.
func (p *ProgressBar) Finish() {
	if p != nil {
		_ = p.b.Finish()
		io.WriteString(p.w, "\n")
	}
}
