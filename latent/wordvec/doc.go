// Package wordvec reads and writes word-vector files: GloVe text (no
// header), word2vec text and word2vec binary, plain or gzip-compressed.
//
// Vectors keep the order of the file, which for published embeddings is
// descending word frequency; analogy evaluations restricted to the N most
// frequent words (latent.EvalOptions.Restrict, gensim's restrict_vocab) rely
// on it. As in gensim, a word that occurs again later in a file keeps its
// first vector.
//
// Reading never panics on bad input: an empty file, a line with the wrong
// number of components, a number that does not parse, NaN or Inf, invalid
// UTF-8 or a header that disagrees with the data is an error naming the
// file and the line (for binary files, the vector and its byte offset). All
// such errors match ErrFormat, except empty input, which matches
// latent.ErrEmpty.
//
//	emb, err := wordvec.ReadFile("glove.6B.100d.txt", wordvec.GloVe, nil)
//	if err != nil { ... }
//	bank, err := emb.Bank()
//	ans, err := bank.Analogy("man", "king", "woman", 5, nil) // queen, ...
//
// The package is a subpackage of latent, which holds the vector algebra and
// search, so that latent stays free of file formats.
package wordvec
