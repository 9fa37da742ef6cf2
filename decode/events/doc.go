// Package events reads and writes BIDS events files (events.tsv): one row
// per event with its onset and duration in seconds from the start of the
// run, and any further columns.
//
// The columns onset and duration are required (BIDS puts them first; this
// reader accepts them anywhere). trial_type and stim_file get their own
// fields; every other column is kept as text in Extra, and Columns records
// the file's column order so that WriteFile writes the same layout back.
// "n/a" marks a missing value: it is allowed for duration (read as NaN)
// and for the text columns (read as ""), not for onset.
//
// Bad input gets an error naming the file, the line and the column:
// missing or duplicate columns, rows of the wrong length, onsets that are
// not finite numbers, negative durations. FuzzRead exercises the reader.
//
// ReadAttributes reads the other common description of a block design, a
// PyMVPA-style attribute table with one line per volume ("label chunk",
// as in PyMVPA's attributes_literal.txt). Attributes.Runs splits it by
// chunk (run) and turns each stretch of same-label volumes within a run
// into a block event (onset and duration from the TR); baseline labels
// such as "rest" make no event.
package events
