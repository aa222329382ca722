package jobs

import (
	"flag"
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"
)

// RegisterFlags binds --worker-cpu, --worker-memory and --worker-image
// to res (its values are the defaults shown).
func RegisterFlags(fs *flag.FlagSet, res *Resources, binary string) {
	fs.Func("worker-cpu", fmt.Sprintf("CPU each worker pod requests (default %s)", res.CPU.String()), quantity(&res.CPU))
	fs.Func("worker-memory", fmt.Sprintf("memory each worker pod requests (default %s)", res.Memory.String()), quantity(&res.Memory))
	fs.StringVar(&res.Image, "worker-image", res.Image, fmt.Sprintf("image of the worker pods (default fleetbench/%s with the stack's tag)", binary))
}

// quantity parses a positive Kubernetes resource quantity.
func quantity(q *resource.Quantity) func(string) error {
	return func(v string) error {
		p, err := resource.ParseQuantity(v)
		if err != nil {
			return err
		}
		if p.Sign() <= 0 {
			return fmt.Errorf("%q: want a positive quantity", v)
		}
		*q = p
		return nil
	}
}
