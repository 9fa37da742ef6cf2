package dataset_test

import (
	"fmt"

	"github.com/neurolatent/neurolatent/dataset"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Batch cuts images out of an in-memory data set, ready for a model's
// Encode.
func ExampleMemory_Batch() {
	pixels := make([]float32, 4*1*2*2) // four 2x2 grey images
	for i := range pixels {
		pixels[i] = float32(i) / 16
	}
	m, err := dataset.NewMemory(nt.New32(pixels, 4, 1, 2, 2), []int{3, 1, 4, 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	x, labels, err := m.Batch(1, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(x.Shape(), labels)
	_, _, err = m.Batch(3, 5)
	fmt.Println(err)
	// Output:
	// (2, 1, 2, 2) [1 4]
	// dataset: batch [3, 5) of 4 images: want 0 <= lo < hi <= 4
}
