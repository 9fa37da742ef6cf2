package wordvec_test

import (
	"fmt"
	"strings"

	"github.com/neurolatent/neurolatent/latent/wordvec"
)

func ExampleRead() {
	glove := `man 1 0 0.1
woman 0 1 0.1
king 1 0 1
queen 0 1 1
`
	emb, err := wordvec.Read(strings.NewReader(glove), wordvec.GloVe, "toy.txt", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	bank, _ := emb.Bank()
	res, _ := bank.Analogy("man", "king", "woman", 1, nil)
	fmt.Println(res[0].Word)

	_, err = wordvec.Read(strings.NewReader("man 1 0 0.1\nwoman 0 1\n"), wordvec.GloVe, "bad.txt", nil)
	fmt.Println(err)
	// Output:
	// queen
	// wordvec: bad.txt: line 2: malformed word-vector file: word "woman" has 2 components, want 3
}
