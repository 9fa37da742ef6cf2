// Package latent is latent-space algebra: the linear operations on
// embeddings and generator latents that make "QUEEN - WOMAN + MAN = KING"
// and "smiling woman - neutral woman + neutral man = smiling man" work.
//
// # Vectors and generator latents
//
// Vectors is a row-major [N, D] float32 batch. FromDense views a model's
// latent tensor (a *tensor.Dense [N, D], or [N, D, 1, 1] in NCHW) without
// copying and Vectors.Dense gives the [N, D] tensor back, so the results of
// Arithmetic (A - B + C), Combine, Lerp, Slerp, Interpolate and Axis.Shift
// go straight to a generator's Decode or Forward (see ExampleFromDense);
// Wrap does the same for a bare []float32. Single rows broadcast against
// batches: one attribute vector shifts a whole batch. Sums are accumulated
// in float64 and rounded once.
//
// The module's rule for array types: models take and return
// *tensor.Dense; statistics, regression and metrics take gonum matrices.
//
// AttributeAxis and ClassAxis return class-mean differences (Larsen et al.
// 2016; White 2016); Axis.Classifier is the projection classifier along the
// axis, thresholded halfway between the class means.
//
// # Banks, nearest neighbours and word analogies
//
// A Bank holds N vectors (optionally with a word per row, in file order)
// with their norms and a unit-normalised copy, made on demand for the rows
// a search needs. Bank.Search is exact k-NN by cosine, inner product or
// squared Euclidean distance. Queries are answered in blocks: a block of
// queries times a block of bank rows is one matrix product (Sgemm), whose
// scores go through a partial selection (a k-element heap behind a
// threshold test); GOMAXPROCS workers take (bank block, query block) tasks
// and their per-query heaps are merged in a total order (score, then
// lower row), so the results never depend on the batch size or the number
// of workers. The products go through gonum's blas32 global implementation:
// install a fast one (github.com/neurolatent/neurolatent/blas.Use) at the
// start of a program, as the example command does.
//
// Bank.MostSimilar, Bank.Analogy and Bank.Evaluate follow gensim 4.2's
// KeyedVectors (most_similar, most_similar_cosmul and
// evaluate_word_analogies) rule for rule: 3CosAdd ranks by the cosine with
// the normalised sum of the positive words' unit vectors minus the
// negative ones'; 3CosMul (Levy & Goldberg 2014) by
// prod_pos (1+cos)/2 / (prod_neg (1+cos)/2 + 1e-6); the query words' rows
// are never answers; an evaluation restricted to the first N words skips
// questions with a word outside them, compares words by Python's
// str.upper (FoldUpper: full Unicode case mapping), answers each question
// with the first of its 5 best candidates that is not a question word, and
// keeps sections in file order. Where gensim answers one question at a time
// (a matrix-vector product over the vocabulary per question), Evaluate
// answers all of them together: both objectives are functions of the three
// cosines cos(x,a), cos(x,b), cos(x,c), and a question set has far fewer
// distinct words than questions (the Google set: about 900 for 19,544), so
// one matrix product per block of the vocabulary gives the cosines of every
// question word with the block, and each question combines three of its
// rows (vectorised with AVX2 on amd64) into its running top 8. The few best
// candidates of each question are then rescored in float64, so the final
// order does not depend on the BLAS kernel's rounding. The package's tests
// check per-question agreement with gensim on a GloVe subset
// (testdata/latent, scripts/golden/latent_analogy.py); bench/latent checks
// the full GloVe 6B 100d vocabulary.
//
// Two deliberate differences from gensim: with CosMul the candidates are
// restricted to the first Restrict words (gensim 4.2's most_similar_cosmul
// ignores restrict_vocab, and its evaluate_word_analogies has no 3CosMul),
// and a zero vector is an error instead of a row of NaN scores.
//
// # Errors
//
// Bad input never panics: mismatched dimensions match ErrDim, empty input
// ErrEmpty, unknown words ErrUnknownWord (an *UnknownWordError naming the
// word), NaN or Inf ErrNotFinite, each wrapped with the context. Word-vector
// files are read by the subpackage wordvec.
package latent
