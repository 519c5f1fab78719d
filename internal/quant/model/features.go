package model

import (
	"fmt"
	"strings"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// CheckNames reports whether names is usable as a model's feature list: not
// empty, no blank and no repeated name.
func CheckNames(names []string) error {
	if len(names) == 0 {
		return apperr.New(apperr.Invalid, "the feature list is empty")
	}
	seen := make(map[string]int, len(names))
	for i, n := range names {
		if strings.TrimSpace(n) == "" {
			return apperr.New(apperr.Invalid, "feature %d has no name", i+1)
		}
		if j, ok := seen[n]; ok {
			return apperr.New(apperr.Invalid, "feature %q is listed twice (positions %d and %d)", n, j+1, i+1)
		}
		seen[n] = i
	}
	return nil
}

// CheckFeatures compares the feature list a model was trained on (want) with
// the list supplied for it (got) and, when they differ, returns an apperr
// Invalid error that says which features are missing, which are extra and
// which are out of order, for the admin's model upload page.
func CheckFeatures(want, got []string) error {
	if equalStrings(want, got) {
		return nil
	}
	inGot := make(map[string]bool, len(got))
	for _, n := range got {
		inGot[n] = true
	}
	inWant := make(map[string]bool, len(want))
	for _, n := range want {
		inWant[n] = true
	}
	var missing, extra []string
	for _, n := range want {
		if !inGot[n] {
			missing = append(missing, n)
		}
	}
	for _, n := range got {
		if !inWant[n] {
			extra = append(extra, n)
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing from the list: "+summarise(missing))
	}
	if len(extra) > 0 {
		parts = append(parts, "not in the model: "+summarise(extra))
	}
	if len(missing) == 0 && len(extra) == 0 {
		parts = append(parts, outOfOrder(want, got))
	}
	return apperr.New(apperr.Invalid, "feature list does not match the model (%d features in the model, %d given): %s",
		len(want), len(got), strings.Join(parts, "; "))
}

// outOfOrder describes the first position where two permutations differ.
func outOfOrder(want, got []string) string {
	if len(want) != len(got) {
		return "the same names appear but one list repeats a name"
	}
	moved := 0
	first := -1
	for i := range want {
		if want[i] != got[i] {
			moved++
			if first < 0 {
				first = i
			}
		}
	}
	return fmt.Sprintf("out of order: %d positions differ, first at position %d (model has %q, list has %q)",
		moved, first+1, want[first], got[first])
}

// summarise lists up to ten names and counts the rest.
func summarise(names []string) string {
	const show = 10
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:show], ", "), len(names)-show)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
