// Package realdata finds the real recordings that tests and examples read
// but the repository may not hold (their terms forbid redistribution):
// they live in shared/data/real beside the repository, that is at
// ../shared/data/real from the module root, in CI and on the team's
// machines, and are absent from a user's clone.
//
// Locate returns a data set's folder or an error saying where it looked;
// Require does the same for a test and skips it, with a one-line reason,
// when the folder is absent.
package realdata
