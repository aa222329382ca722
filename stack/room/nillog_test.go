package room

import "testing"

// TestNilLoggerIsDiscard: a library caller may pass no logger.
func TestNilLoggerIsDiscard(t *testing.T) {
	t.Parallel()
	if s := New(Config{}, nil, nil, nil); s.log == nil {
		t.Fatal("New kept a nil logger")
	}
}
