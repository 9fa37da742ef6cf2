package graph_test

import (
	"testing"

	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
	"github.com/neurolatent/neurolatent/nn/graph"
	"github.com/neurolatent/neurolatent/nn/nntest"
)

func target() nntest.Target {
	return nntest.Target{
		Name: "graph",
		Eval: func(dt tensor.Dtype) nn.Engine {
			if dt == tensor.Float64 {
				return graph.NewEngine(graph.Float64())
			}
			return graph.NewEngine()
		},
		Train: func(dt tensor.Dtype) nn.Engine {
			if dt == tensor.Float64 {
				return graph.NewEngine(graph.Float64(), graph.Training())
			}
			return graph.NewEngine(graph.Training())
		},
	}
}

func TestGradients(t *testing.T) {
	eng := target().Train(tensor.Float64)
	for _, c := range nntest.GradCases(1) {
		res, err := nntest.CheckGrad(eng, c, 2)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		t.Logf("%-34s rel err %.2e (param %d)", c.Name, res.RelErr, res.Param)
		if res.RelErr > 1e-6 {
			t.Errorf("%s: gradient of parameter %d off by %.3g relative", c.Name, res.Param, res.RelErr)
		}
	}
}
