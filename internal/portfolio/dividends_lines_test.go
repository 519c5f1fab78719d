package portfolio

import (
	"fmt"
	"strings"
	"testing"

	"github.com/qlibpro/qlibpro/internal/apperr"
)

// TestDividendImportLineCap: an import file of MaxDividendLines dividends is
// read; one more line is refused as a whole with a message, before any of it
// reaches the database.
func TestDividendImportLineCap(t *testing.T) {
	file := func(n int) string {
		var b strings.Builder
		b.WriteString(DividendCSVHeader + "\n")
		for i := range n {
			fmt.Fprintf(&b, "CBA,%d-02-21,%d-03-28,2.15,100\n", 1990+i/300, 1990+i/300)
		}
		return b.String()
	}
	lines, bad, _, err := readDividendCSV(strings.NewReader(file(MaxDividendLines)))
	if err != nil || len(lines) != MaxDividendLines || len(bad) != 0 {
		t.Fatalf("%d lines: read %d, %d bad, %v", MaxDividendLines, len(lines), len(bad), err)
	}
	_, _, _, err = readDividendCSV(strings.NewReader(file(MaxDividendLines + 1)))
	if apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "more than 5000") {
		t.Fatalf("%d lines: %v, want Invalid naming the cap", MaxDividendLines+1, err)
	}
}
