package results

import "fmt"

// CheckWritable refuses a run file that ReadFile would refuse, before a
// command writes it as name: larger than MaxRunFileSize, or failing
// Validate (too many events or scale-ups). A command never writes a
// file its own readers (`report`, `loadgen compare`) cannot read back.
// data is what Marshal returned.
func CheckWritable(name string, data []byte) error {
	if len(data) > MaxRunFileSize {
		return fmt.Errorf("%s would be %d bytes, more than report reads (%d MiB): "+
			"shorten the scenario's duration or its timeline", name, len(data), MaxRunFileSize>>20)
	}
	if _, err := Unmarshal(data); err != nil {
		return fmt.Errorf("%s would not read back: %w", name, err)
	}
	return nil
}
