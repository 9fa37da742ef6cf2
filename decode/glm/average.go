package glm

import "gonum.org/v1/gonum/mat"

// ByStimFile and ByTrialType are keys for Average.
func ByStimFile(t Trial) string  { return t.StimFile }
func ByTrialType(t Trial) string { return t.TrialType }

// Average averages the rows of b that share a key (test images shown many
// times, say). It returns the keys in order of first appearance, the
// averaged rows and the number of trials behind each.
func (b *Betas) Average(key func(Trial) string) ([]string, *mat.Dense, []int) {
	index := map[string]int{}
	var keys []string
	var count []int
	for _, t := range b.Trials {
		k := key(t)
		if _, ok := index[k]; !ok {
			index[k] = len(keys)
			keys = append(keys, k)
			count = append(count, 0)
		}
		count[index[k]]++
	}
	_, nv := b.Values.Dims()
	avg := mat.NewDense(len(keys), nv, nil)
	for i, t := range b.Trials {
		row := avg.RawRowView(index[key(t)])
		for j, v := range b.Values.RawRowView(i) {
			row[j] += v
		}
	}
	for i, n := range count {
		row := avg.RawRowView(i)
		for j := range row {
			row[j] /= float64(n)
		}
	}
	return keys, avg, count
}
