package assets

import "testing"

func TestFashionMNIST(t *testing.T) {
	test, err := FashionMNIST("test", 0)
	if err != nil {
		t.Fatal(err)
	}
	if c, h, w := test.Shape(); test.Len() != 10000 || c != 1 || h != 28 || w != 28 {
		t.Fatalf("test set %d x %d,%d,%d", test.Len(), c, h, w)
	}
	if test.Label(0) != 9 || test.Label(1) != 2 { // ankle boot, pullover
		t.Fatalf("labels %d %d", test.Label(0), test.Label(1))
	}
	train, err := FashionMNIST("train", 32)
	if err != nil {
		t.Fatal(err)
	}
	if _, h, _ := train.Shape(); train.Len() != 20000 || h != 32 {
		t.Fatalf("train set %d, side %d", train.Len(), h)
	}
	if _, err := FashionMNIST("validation", 0); err == nil {
		t.Fatal("unknown split accepted")
	}
}
