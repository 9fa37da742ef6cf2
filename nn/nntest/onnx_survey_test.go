package nntest

import (
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"github.com/neurolatent/neurolatent/internal/onnx"
)

func TestSurvey(t *testing.T) {
	dirs, _ := onnx.FindCases("../../testdata/onnx")
	for _, d := range dirs {
		c, err := onnx.LoadCase(d)
		if err != nil {
			fmt.Println(d, err)
			continue
		}
		n, _ := c.Node()
		var keys []string
		for k := range n.Attrs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		s := ""
		for _, k := range keys {
			a := n.Attrs[k]
			switch a.Type {
			case onnx.AttrInt:
				s += fmt.Sprintf(" %s=%d", k, a.I)
			case onnx.AttrInts:
				s += fmt.Sprintf(" %s=%v", k, a.Ints)
			case onnx.AttrFloat:
				s += fmt.Sprintf(" %s=%g", k, a.F)
			case onnx.AttrString:
				s += fmt.Sprintf(" %s=%q", k, a.S)
			default:
				s += fmt.Sprintf(" %s=?%d", k, a.Type)
			}
		}
		ins := ""
		for i, x := range c.Inputs {
			ins += fmt.Sprintf(" %s:%s%v", n.Inputs[min(i, len(n.Inputs)-1)], onnx.TypeName(x.DataType), x.Dims)
			if x.DataType == onnx.TypeInt64 && x.Len() < 8 {
				ins += fmt.Sprint(x.Int64)
			}
		}
		outs := ""
		for _, x := range c.Outputs {
			outs += fmt.Sprintf(" %s%v", onnx.TypeName(x.DataType), x.Dims)
		}
		fmt.Printf("%s op=%s v%d in=%v inits=%d sets=%d |%s |%s ->%s\n", filepath.Base(d), n.OpType, c.Model.OpsetVersion, n.Inputs, len(c.Model.Graph.Initializers), len(c.Sets), s, ins, outs)
	}
}
