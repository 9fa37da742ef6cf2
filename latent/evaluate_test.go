package latent

import "testing"

// Question words are left out of the answers up to case: a vocabulary word
// that differs from a question word only in case ("King" for the question's
// "king") is no answer either, as with gensim's case_insensitive=True. Here
// "King" is the best candidate and "queen" the second, so comparing words
// exactly (in the candidate, in the question words, or both) would answer
// "King" and get the question wrong.
func TestEvaluateIgnoresQuestionWordsUpToCase(t *testing.T) {
	words := []string{"man", "woman", "king", "queen", "King"}
	v := Vectors{N: 5, D: 3, Data: []float32{
		1, 0, 0, // man
		0, 1, 0, // woman
		0, 0, 1, // king
		-1, 1, 0.9, // queen: close to woman + king - man
		-1, 1, 1, // King: exactly along woman + king - man
	}}
	b, err := NewBank(v, words)
	if err != nil {
		t.Fatal(err)
	}
	sections := []Section{{Name: "royalty", Questions: []Question{
		{A: "man", B: "woman", C: "king", D: "queen", Line: 2},
		{A: "MAN", B: "Woman", C: "KING", D: "QUEEN", Line: 3},
	}}}
	ev, err := b.Evaluate(sections, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ev.Results[0] {
		if r.Predicted != "queen" || !r.Correct {
			t.Errorf("line %d: answered %q (correct %v), want \"queen\": a case variant of a question word was not left out", r.Line, r.Predicted, r.Correct)
		}
	}
	if ev.Correct != 2 || ev.Total != 2 {
		t.Errorf("%d/%d correct, want 2/2", ev.Correct, ev.Total)
	}

	// Compared exactly, "King" is not the question word "king": it answers.
	sections[0].Questions = sections[0].Questions[:1]
	ev, err = b.Evaluate(sections, &EvalOptions{CaseSensitive: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := ev.Results[0][0]; r.Predicted != "King" || r.Correct {
		t.Errorf("case-sensitive: answered %q (correct %v), want \"King\", wrong", r.Predicted, r.Correct)
	}
}
