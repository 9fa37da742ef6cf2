package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/neurolatent/neurolatent/nn"
)

// Reverse-mode differentiation over the graph's custom ops.
//
// Gorgonia's own Backpropagate caches each node's derivative on the node,
// so a second loss differentiated over the same forward pass silently reuses
// the first loss's derivatives. Training a VAE-GAN needs exactly that: three
// losses (encoder, decoder, discriminator) over one shared forward pass. So
// the backend records each op node's inputs as it builds the graph and runs
// the reverse sweep itself, once per objective, calling the ops' SymDiff
// (which add the gradient ops to the same Gorgonia graph).

// record notes the inputs of a newly added op node (hash-consing may
// return an existing node, which is already recorded).
func (b *backend[T]) record(n *G.Node, inputs []*G.Node) {
	if _, ok := b.children[n]; ok {
		return
	}
	b.children[n] = append([]*G.Node(nil), inputs...)
	b.opOrder = append(b.opOrder, n)
}

// grad returns d loss / d w for each w (nil where loss does not depend on w).
func (b *backend[T]) grad(loss *G.Node, wrt []*G.Node) ([]*G.Node, error) {
	if loss.Shape().Dims() != 0 {
		return nil, fmt.Errorf("graph: loss of shape %v, want a scalar", loss.Shape())
	}
	// Nodes that depend on some w, in creation (topological) order.
	depends := map[*G.Node]bool{}
	for _, w := range wrt {
		depends[w] = true
	}
	for _, n := range b.opOrder {
		for _, c := range b.children[n] {
			if depends[c] {
				depends[n] = true
				break
			}
		}
	}
	// Nodes the loss depends on.
	needed := map[*G.Node]bool{loss: true}
	for i := len(b.opOrder) - 1; i >= 0; i-- {
		n := b.opOrder[i]
		if needed[n] {
			for _, c := range b.children[n] {
				needed[c] = true
			}
		}
	}
	if !depends[loss] {
		return make([]*G.Node, len(wrt)), nil
	}
	one := b.scalarConst(1)
	pending := map[*G.Node][]*G.Node{loss: {one}}
	total := map[*G.Node]*G.Node{}
	for i := len(b.opOrder) - 1; i >= 0; i-- {
		n := b.opOrder[i]
		if !needed[n] || !depends[n] || len(pending[n]) == 0 {
			continue
		}
		g, err := b.sum(pending[n])
		if err != nil {
			return nil, err
		}
		total[n] = g
		op, ok := n.Op().(G.SDOp)
		if !ok {
			return nil, fmt.Errorf("graph: %v has no gradient", n.Op())
		}
		children := b.children[n]
		diff := op.DiffWRT(len(children))
		grads, err := op.SymDiff(G.Nodes(children), n, g)
		if err != nil {
			return nil, fmt.Errorf("graph: gradient of %v: %w", n.Op(), err)
		}
		for j, c := range children {
			if j < len(diff) && diff[j] && depends[c] && grads[j] != nil {
				pending[c] = append(pending[c], grads[j])
			}
		}
	}
	out := make([]*G.Node, len(wrt))
	for i, w := range wrt {
		if len(pending[w]) > 0 {
			g, err := b.sum(pending[w])
			if err != nil {
				return nil, err
			}
			out[i] = g
		}
	}
	return out, nil
}

// sum adds gradient contributions in the order they arrived.
func (b *backend[T]) sum(gs []*G.Node) (*G.Node, error) {
	acc := gs[0]
	for _, g := range gs[1:] {
		op := &binaryOp[T]{opBase: newBase("grad_sum", "", dtypeOf[T](), acc.Shape(), acc, g), op: nn.AddOp,
			aShape: []int(acc.Shape()), bShape: []int(g.Shape())}
		n, err := apply(op, acc, g)
		if err != nil {
			return nil, fmt.Errorf("graph: summing gradients: %w", err)
		}
		acc = n
	}
	return acc, nil
}

// scalarConst adds a 0-d constant leaf.
func (b *backend[T]) scalarConst(v float64) *G.Node {
	b.nconst++
	t := tensor.New(tensor.WithShape(), tensor.WithBacking([]T{T(v)}))
	return b.leaf(fmt.Sprintf("const%d", b.nconst), nil, t)
}
