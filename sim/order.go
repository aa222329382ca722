package sim

import (
	"slices"

	"github.com/fleetbench/fleetbench/policy"
)

// sortByDeletion orders candidate indexes with the shared deletion order.
func sortByDeletion(order []int, cs []policy.Candidate) {
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case policy.DeleteFirst(cs[a], cs[b]):
			return -1
		case policy.DeleteFirst(cs[b], cs[a]):
			return 1
		}
		return 0
	})
}
