package bigbigan_test

import (
	"fmt"

	"github.com/neurolatent/neurolatent/bigbigan"
	nt "github.com/neurolatent/neurolatent/tensor"
)

// Load a generator checkpoint in the layout of the public BigBiGAN_x1.pth
// (here the reduced-width one of the tests; the real file loads the same
// way) and sample images with the truncation trick.
func ExampleLoadGenerator() {
	g, err := bigbigan.LoadGenerator("../testdata/bigbigan/g_ch4.pth")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(g.Config())
	img, z, err := g.Sample(2, 1, 1.0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(z.Shape(), img.Shape())
	// A z of the wrong width is refused with a clear error.
	_, err = g.Generate(nt.Zeros(nt.Float32, 1, 100))
	fmt.Println(err)
	// Output:
	// BigGAN 128x128, widths [64 64 32 16 8 4], z 120 (6 chunks of 20), shared 1000x128, attention 64, 3 channels
	// (2, 120) (2, 3, 128, 128)
	// bigbigan: z of shape [1 100]: this generator takes [N,120] (6 chunks of 20)
}
