package fleet

import "testing"

// TestNilLoggerIsDiscard: a library caller may pass no logger.
func TestNilLoggerIsDiscard(t *testing.T) {
	t.Parallel()
	if c := New(Config{}, nil, nil); c.log == nil {
		t.Fatal("New kept a nil logger")
	}
}
