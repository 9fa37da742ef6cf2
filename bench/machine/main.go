// Command machine prints the CPU as package blas identifies it (vendor,
// family, model, core, measured FMA unit width) and the kernels and
// blocking it chose, for the header of every bench/ script's output:
// machines with the same instruction sets run them at different speeds.
//
//	go run ./bench/machine
package main

import (
	"fmt"

	"github.com/neurolatent/neurolatent/blas"
)

func main() { fmt.Println(blas.Machine()) }
