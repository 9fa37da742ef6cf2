package cli

import (
	"bytes"
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

// Stages returns a writer for a computation's progress lines (one line
// per stage, as recon and decode/sim write them) that prints each line
// above a bar counting the stages, with the elapsed time and an estimate
// of the time left. Lines starting "note:" are printed without advancing
// it. The estimate assumes stages of equal length: it is rough, and says
// so only by being a bar. With w nil it returns nil (quiet), whose Writer
// is nil too.
func Stages(w io.Writer, n int) *StageWriter {
	if w == nil {
		return nil
	}
	return &StageWriter{w: w, bar: progressbar.NewOptions(n,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("stages"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetWidth(24),
	)}
}

// StageWriter is the writer Stages returns.
type StageWriter struct {
	w    io.Writer
	bar  *progressbar.ProgressBar
	done int
}

// Write prints p above the bar and counts a stage.
func (s *StageWriter) Write(p []byte) (int, error) {
	_ = s.bar.Clear()
	n, err := s.w.Write(p)
	if !bytes.HasPrefix(p, []byte("note:")) && s.done < s.bar.GetMax() {
		s.done++
		_ = s.bar.Add(1)
	} else {
		_ = s.bar.RenderBlank()
	}
	return n, err
}

// Writer returns s as an io.Writer, or nil for a quiet run, so that a
// callee's nil check still sees no writer.
func (s *StageWriter) Writer() io.Writer {
	if s == nil {
		return nil
	}
	return s
}

// Finish completes the bar (stages that were skipped count as done) and
// ends its line.
func (s *StageWriter) Finish() {
	if s != nil {
		_ = s.bar.Finish()
		io.WriteString(s.w, "\n")
	}
}
