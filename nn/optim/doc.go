// Package optim updates model parameters from their gradients: Adam and
// RMSProp with PyTorch's update rules, gradient clipping by norm and by
// value, and optimizer state that round-trips through a state dict so that
// a resumed training run continues exactly where it stopped.
//
// Optimizers work on host parameters (nn.Param), whatever backend computed
// the gradients, and update them in place so that compiled graphs see the
// new values without rebuilding.
package optim
