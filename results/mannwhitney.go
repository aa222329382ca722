package results

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// MannWhitney tests whether y tends to be larger than x (one-sided): it
// returns U (the number of pairs with y above x, ties counting half) and
// the p-value. Small samples (up to 400 pairs, no ties) get the exact
// distribution; larger ones the normal approximation with tie correction
// and continuity correction. gonum has no rank-sum test; this is the
// textbook one (Mann & Whitney 1947).
func MannWhitney(x, y []float64) (u, p float64) {
	n1, n2 := len(x), len(y)
	if n1 == 0 || n2 == 0 {
		return 0, 1
	}
	type obs struct {
		v    float64
		isY  bool
		rank float64
	}
	all := make([]obs, 0, n1+n2)
	for _, v := range x {
		all = append(all, obs{v: v})
	}
	for _, v := range y {
		all = append(all, obs{v: v, isY: true})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].v < all[j].v })
	ties := 0.0 // Σ(t³−t) over groups of equal values
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		for k := i; k < j; k++ {
			all[k].rank = float64(i+j+1) / 2
		}
		t := float64(j - i)
		ties += t*t*t - t
		i = j
	}
	ry := 0.0
	for _, o := range all {
		if o.isY {
			ry += o.rank
		}
	}
	u = ry - float64(n2*(n2+1))/2
	if n1*n2 <= 400 && ties == 0 {
		return u, exactUpper(n1, n2, u)
	}
	N := float64(n1 + n2)
	mean := float64(n1*n2) / 2
	sd := math.Sqrt(float64(n1*n2) / 12 * (N + 1 - ties/(N*(N-1))))
	if sd == 0 {
		return u, 1
	}
	z := (u - mean - 0.5) / sd
	return u, 1 - distuv.UnitNormal.CDF(z)
}

// exactUpper is P(U ≥ u) under the null, counting the arrangements of
// n1 x's and n2 y's by U (the classic recursion).
func exactUpper(n1, n2 int, u float64) float64 {
	maxU := n1 * n2
	// counts[i][j][k]: arrangements of i x's and j y's with U = k.
	prev := make([][]float64, n2+1)
	for j := range prev {
		prev[j] = make([]float64, maxU+1)
		prev[j][0] = 1 // i = 0: one arrangement, U = 0
	}
	for i := 1; i <= n1; i++ {
		cur := make([][]float64, n2+1)
		cur[0] = make([]float64, maxU+1)
		cur[0][0] = 1
		for j := 1; j <= n2; j++ {
			cur[j] = make([]float64, maxU+1)
			for k := 0; k <= i*j; k++ {
				// The largest value is a y (it beats all i x's) or an x.
				if k >= i {
					cur[j][k] += cur[j-1][k-i]
				}
				cur[j][k] += prev[j][k]
			}
		}
		prev = cur
	}
	total, upper := 0.0, 0.0
	for k, c := range prev[n2] {
		total += c
		if float64(k) >= u {
			upper += c
		}
	}
	return upper / total
}
