package config

import "strings"

// suggest returns the known key closest to key, or "" when none is close
// enough to be a likely misspelling. Case, '-' and '_' are ignored first
// ("maxBytes", "max-bytes" -> "max_bytes"), then the edit distance decides.
func suggest(key string, known []string) string {
	norm := func(s string) string {
		s = strings.ToLower(s)
		return strings.NewReplacer("_", "", "-", "", " ", "").Replace(s)
	}
	k := norm(key)
	best, bestDist := "", 0
	for _, name := range known {
		n := norm(name)
		d := distance(k, n)
		// Allow about one edit per three letters, at least one, at most 3.
		limit := min(max(len(n)/3, 1), 3)
		if k+"s" == n || strings.HasSuffix(k, "y") && strings.TrimSuffix(k, "y")+"ies" == n {
			// "policy" -> "policies", "source" -> "sources"
			d = min(d, limit)
		}
		if len(n) >= 4 && len(k) > len(n) && strings.HasPrefix(k, n) {
			// "grace_period" -> "grace"
			d = min(d, limit)
		}
		if d <= limit && (best == "" || d < bestDist) {
			best, bestDist = name, d
		}
	}
	return best
}

// distance is the optimal string alignment distance (Levenshtein plus
// adjacent transpositions) between a and b, by bytes.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		// Not a misspelling of any key; keep the cost bounded.
		return 1 << 30
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
