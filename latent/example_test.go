package latent_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/neurolatent/neurolatent/latent"
	"github.com/neurolatent/neurolatent/tensor"
)

// A toy vocabulary whose components mean "male", "female", "royal" and
// "young".
func toyBank() *latent.Bank {
	words := []string{"man", "woman", "king", "queen", "prince", "princess", "boy", "girl"}
	v, _ := latent.FromRows(
		[]float32{1, 0, 0, 0},
		[]float32{0, 1, 0, 0},
		[]float32{1, 0, 1, 0},
		[]float32{0, 1, 1, 0},
		[]float32{1, 0, 1, 1},
		[]float32{0, 1, 1, 1},
		[]float32{1, 0, 0, 1},
		[]float32{0, 1, 0, 1},
	)
	bank, _ := latent.NewBank(v, words)
	return bank
}

// QUEEN - WOMAN + MAN = KING, answered as gensim's most_similar does.
func Example() {
	bank := toyBank()
	res, err := bank.MostSimilar([]string{"queen", "man"}, []string{"woman"}, 2, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range res {
		fmt.Printf("%s %.3f\n", n.Word, n.Score)
	}
	_, err = bank.Analogy("man", "king", "duchess", 1, nil)
	fmt.Println(err)
	// Output:
	// king 0.959
	// prince 0.783
	// latent: unknown word "duchess"
}

// Evaluate scores a bank on analogy questions the way gensim's
// evaluate_word_analogies does.
func ExampleBank_Evaluate() {
	questions := `: royalty
man king woman queen
boy prince girl princess
man woman king queen
: unknown words are skipped
man king duke duchess
`
	sections, err := latent.ReadQuestions(strings.NewReader(questions), "toy")
	if err != nil {
		fmt.Println(err)
		return
	}
	ev, err := toyBank().Evaluate(sections, &latent.EvalOptions{Method: latent.CosAdd})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range ev.Sections {
		fmt.Printf("%s: %d/%d (%d skipped)\n", s.Name, s.Correct, s.Total, s.Skipped)
	}
	fmt.Printf("total: %d/%d\n", ev.Correct, ev.Total)
	// Output:
	// royalty: 3/3 (0 skipped)
	// unknown words are skipped: 0/0 (1 skipped)
	// total: 3/3
}

// Search answers a batch of queries with matrix products; each gets its k
// nearest rows.
func ExampleBank_Search() {
	bank, _ := latent.NewBank(latent.Vectors{N: 4, D: 2, Data: []float32{
		1, 0,
		0, 1,
		-1, 0,
		0.7, 0.7,
	}}, nil)
	queries := latent.Vectors{N: 2, D: 2, Data: []float32{
		1, 0.1,
		0, -1,
	}}
	res, _ := bank.Search(queries, 2, &latent.SearchOptions{Metric: latent.L2})
	for i, r := range res {
		fmt.Printf("query %d: row %d (%.2f), row %d (%.2f)\n", i, r[0].Index, r[0].Score, r[1].Index, r[1].Score)
	}
	// Output:
	// query 0: row 0 (0.01), row 3 (0.45)
	// query 1: row 0 (2.00), row 2 (2.00)
}

// A - B + C on a batch of generator latents: add to each latent of C the
// difference between A and B (broadcast as a single row).
func ExampleArithmetic() {
	smilingWoman, _ := latent.FromRows([]float32{0.9, 1.2, -0.3})
	neutralWoman, _ := latent.FromRows([]float32{0.1, 1.1, -0.2})
	neutralMen, _ := latent.FromRows(
		[]float32{-1.0, 0.2, 0.5},
		[]float32{-0.7, 0.3, 0.4},
	)
	smilingMen, err := latent.Arithmetic(smilingWoman, neutralWoman, neutralMen)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := 0; i < smilingMen.N; i++ {
		fmt.Printf("%.1f\n", smilingMen.Row(i))
	}
	// Output:
	// [-0.2 0.3 0.4]
	// [0.1 0.4 0.3]
}

// Interpolation strips between two latents: slerp keeps the norm, lerp
// passes closer to the origin.
func ExampleInterpolate() {
	a := []float32{2, 0}
	b := []float32{0, 2}
	for _, m := range []latent.Interp{latent.Linear, latent.Spherical} {
		strip, _ := latent.Interpolate(a, b, 3, m)
		fmt.Printf("%-5v %.3f\n", m, strip.Row(1))
	}
	// Output:
	// lerp  [1.000 1.000]
	// slerp [1.414 1.414]
}

// An attribute axis from labelled latents, used to add the attribute and to
// classify.
func ExampleAttributeAxis() {
	z := latent.Vectors{N: 4, D: 2, Data: []float32{
		1.0, 2.0, // has the attribute
		1.2, 1.8, // has it
		0.0, 0.1,
		0.2, -0.1,
	}}
	has := []bool{true, true, false, false}
	axis, _ := latent.AttributeAxis(z, has)
	fmt.Printf("axis %.2f\n", axis.Dir)
	plain, _ := latent.FromRows([]float32{0.1, 0.0})
	added, _ := axis.Shift(plain, 1)
	fmt.Printf("shifted %.2f\n", added.Row(0))
	clf, _ := axis.Classifier()
	pred, _ := clf.Predict(latent.Vectors{N: 2, D: 2, Data: []float32{0.1, 0, 1.1, 1.9}})
	fmt.Println(pred)
	// Output:
	// axis [1.00 1.90]
	// shifted [1.10 1.90]
	// [false true]
}

// Wrap views a generator's latent batch [N, D, 1, 1] as N vectors of D
// components, without copying; a shape that does not match the data is an
// error.
func ExampleWrap() {
	t := tensor.New32([]float32{0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, 2, 3, 1, 1)
	z, err := latent.Wrap(tensor.Data32(t), t.Shape()...)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(z.N, z.D, z.Row(1))
	_, err = latent.Wrap(tensor.Data32(t), 4, 2)
	fmt.Println(errors.Is(err, latent.ErrDim))
	// Output:
	// 2 3 [0.4 0.5 0.6]
	// true
}

// A model's codes come in and go out as *tensor.Dense: FromDense views them
// as Vectors, Dense hands the results back, with no copies in between.
func ExampleFromDense() {
	mu := tensor.New32([]float32{1, 0, 0, 1}, 2, 2) // two codes from an Encode
	z, err := latent.FromDense(mu)
	if err != nil {
		fmt.Println(err)
		return
	}
	path, err := latent.Interpolate(z.Row(0), z.Row(1), 3, latent.Spherical)
	if err != nil {
		fmt.Println(err)
		return
	}
	codes, err := path.Dense() // what a generator's Decode takes
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(codes.Shape())
	fmt.Printf("%.3f\n", path.Row(1))
	// Output:
	// (3, 2)
	// [0.707 0.707]
}
