package matchmaker

import "testing"

// TestNilLoggerIsDiscard: a library caller may pass no logger.
func TestNilLoggerIsDiscard(t *testing.T) {
	t.Parallel()
	a := NewAllocator(nil, "ns", 0, nil)
	if a.log == nil {
		t.Fatal("NewAllocator kept a nil logger")
	}
	if s := New(Config{}, a, nil); s.log == nil {
		t.Fatal("New kept a nil logger")
	}
}
