package latent

import (
	"fmt"
)

// EvalOptions tunes Evaluate. The zero value evaluates 3CosAdd over the
// whole vocabulary, case-insensitively. A plain value, safe for concurrent
// use.
type EvalOptions struct {
	Method Method
	// Restrict evaluates against the first Restrict words only (0: all):
	// questions with a word outside them are skipped, and answers come
	// from them. gensim's default is 300,000.
	Restrict int
	// CaseSensitive compares words exactly; by default they are compared
	// by FoldUpper, as gensim's case_insensitive=True does.
	CaseSensitive bool
}

// Evaluation is the outcome of an analogy evaluation. It is a plain value:
// safe for concurrent use as long as no goroutine modifies it.
type Evaluation struct {
	Sections []SectionScore // in file order, all sections
	Correct  int            // questions answered correctly
	Total    int            // questions evaluated (all four words known)
	Skipped  int            // questions with a word outside the vocabulary
	Accuracy float64        // Correct / Total (0 when Total is 0)
	Results  [][]Result     // per section, per question, in file order
}

// SectionScore is the score of one section. It is a plain value: safe for
// concurrent use as long as no goroutine modifies it.
type SectionScore struct {
	Name                    string
	Correct, Total, Skipped int
}

// Result is the answer to one question. It is a plain value: safe for
// concurrent use as long as no goroutine modifies it.
type Result struct {
	Question
	Predicted string // the answer (the vocabulary's word); "" when skipped
	Correct   bool
	Skipped   bool // a word of the question is outside the vocabulary
}

// answerTopN is gensim's topn in evaluate_word_analogies: the answer is the
// first of the 5 best candidates (question words left out) that is not a
// question word up to case.
const answerTopN = 5

// Evaluate answers every question of the sections and scores them exactly
// as gensim 4.2's KeyedVectors.evaluate_word_analogies does: only the first
// Restrict words count; a question with a word outside them is skipped;
// words are compared case-insensitively (the first word of the vocabulary
// equal up to case stands for a question word); the question words' rows
// are never candidates; among the 5 best remaining candidates the answer is
// the first that is not a question word up to case; the question is correct
// when the answer equals the fourth word (up to case).
//
// gensim answers one question at a time with a matrix-vector product; here
// all questions go through the bank at once as matrix products on all
// cores, and the few best candidates of each are rescored in float64 (see
// MostSimilar). With Method CosMul the candidates are ranked as gensim's
// most_similar_cosmul ranks them, among the first Restrict words.
func (b *Bank) Evaluate(sections []Section, opt *EvalOptions) (*Evaluation, error) {
	var o EvalOptions
	if opt != nil {
		o = *opt
	}
	if b.words == nil {
		return nil, fmt.Errorf("latent: Evaluate: the bank has no words")
	}
	if o.Restrict < 0 {
		return nil, fmt.Errorf("latent: Evaluate: Restrict = %d", o.Restrict)
	}
	if o.Method != CosAdd && o.Method != CosMul {
		return nil, fmt.Errorf("latent: Evaluate: unknown method %v", o.Method)
	}
	n := b.v.N
	if o.Restrict > 0 && o.Restrict < n {
		n = o.Restrict
	}
	norm := func(w string) string {
		if o.CaseSensitive {
			return w
		}
		return FoldUpper(w)
	}
	find := func(w string) (int, bool) {
		if o.CaseSensitive {
			i, ok := b.Index(w)
			return i, ok && i < n
		}
		return b.IndexFold(w, n)
	}

	ev := &Evaluation{Sections: make([]SectionScore, len(sections)), Results: make([][]Result, len(sections))}
	type pending struct{ sec, q int }
	var todo []pending
	var queries []wordQuery
	for si, sec := range sections {
		ev.Sections[si].Name = sec.Name
		ev.Results[si] = make([]Result, len(sec.Questions))
		for qi, q := range sec.Questions {
			ev.Results[si][qi].Question = q
			var rows [4]int
			known := true
			for t, w := range [4]string{q.B, q.C, q.A, q.D} {
				i, ok := find(w)
				if !ok {
					known = false
					break
				}
				rows[t] = i
			}
			if !known {
				ev.Results[si][qi].Skipped = true
				ev.Sections[si].Skipped++
				ev.Skipped++
				continue
			}
			todo = append(todo, pending{si, qi})
			queries = append(queries, wordQuery{rows: rows[:3:3], npos: 2})
		}
	}

	// The query words lie among the first n rows (or are skipped).
	b.prepareUnit(n)
	for _, q := range queries {
		for _, r := range q.rows {
			if b.norms[r] == 0 {
				return nil, fmt.Errorf("latent: Evaluate: the question word %q has a zero vector: no direction", b.words[r])
			}
		}
	}
	// One batched search: the 5 best candidates of every question plus a
	// margin for the float64 rescoring, question rows excluded.
	var cands [][]scored
	if o.Method == CosAdd && b.accelerated(answerTopN+3, 3) {
		var err error
		if cands, err = b.scanQuestionsAcc(queries, n, answerTopN+3); err != nil {
			return nil, fmt.Errorf("latent: Evaluate: %w", err)
		}
	} else {
		cands = b.scanQuestions(queries, n, answerTopN+3, o.Method == CosMul)
	}

	for i, p := range todo {
		q := queries[i]
		var mean []float64
		if o.Method == CosAdd {
			mean = b.mean64(q)
		}
		c := b.rescore(q, o.Method, mean, cands[i])
		if len(c) > answerTopN {
			c = c[:answerTopN]
		}
		res := &ev.Results[p.sec][p.q]
		ignore := [3]string{norm(res.A), norm(res.B), norm(res.C)}
		predicted, found := "", false
		for _, s := range c {
			w := b.words[s.i]
			predicted, found = w, true
			u := norm(w)
			if u != ignore[0] && u != ignore[1] && u != ignore[2] {
				break
			}
		}
		res.Predicted = predicted
		res.Correct = found && norm(predicted) == norm(res.D)
		ev.Sections[p.sec].Total++
		ev.Total++
		if res.Correct {
			ev.Sections[p.sec].Correct++
			ev.Correct++
		}
	}
	if ev.Total > 0 {
		ev.Accuracy = float64(ev.Correct) / float64(ev.Total)
	}
	return ev, nil
}
