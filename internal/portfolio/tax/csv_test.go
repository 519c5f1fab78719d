package tax

import (
	"bytes"
	"encoding/csv"
	"errors"
	"slices"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/testenv"
)

func TestCSV(t *testing.T) {
	disposals, err := MatchSale(threeParcels(t), Sale{
		Code: "BHP", Date: testenv.Date(t, "2025-06-20"),
		Quantity: decimal.NewFromInt(150), Proceeds: decimal.NewFromInt(6000),
	})
	if err != nil {
		t.Fatalf("MatchSale: %v", err)
	}
	s := Summarise(disposals, 2025, decimal.Zero, decimal.New(5, -1))

	var buf bytes.Buffer
	if err := CSV(&buf, s); err != nil {
		t.Fatalf("CSV: %v", err)
	}
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("reading the CSV back: %v", err)
	}

	want := [][]string{
		{"Code", "Acquired", "Sold", "Quantity", "Cost base", "Proceeds", "Gain", "Discountable", "Method"},
		{"BHP", "2022-03-15", "2025-06-20", "100", "3000.00", "4000.00", "1000.00", "yes", "fifo"},
		{"BHP", "2023-08-10", "2025-06-20", "50", "2250.00", "2000.00", "-250.00", "no", "fifo"},
	}
	if len(records) < len(want) {
		t.Fatalf("got %d records, want at least %d", len(records), len(want))
	}
	for i, w := range want {
		if !slices.Equal(records[i], w) {
			t.Errorf("record %d = %q, want %q", i, records[i], w)
		}
	}

	figures := make(map[string]string)
	for _, r := range records[len(want):] {
		figures[r[0]] = r[6]
	}
	wantFigures := map[string]string{
		"Financial year":                       "2024–25",
		"Discountable capital gains":           "1000.00",
		"Other capital gains":                  "0.00",
		"Total current year capital gains":     "1000.00",
		"Current year capital losses":          "250.00",
		"Prior year net capital losses":        "0.00",
		"Losses applied to other gains":        "0.00",
		"Losses applied to discountable gains": "250.00",
		"Discount rate":                        "0.5",
		"CGT discount":                         "375.00",
		"Net capital gain":                     "375.00",
		"Net capital losses carried forward":   "0.00",
	}
	for label, w := range wantFigures {
		if got, ok := figures[label]; !ok || got != w {
			t.Errorf("summary %q = %q (present %v), want %q", label, got, ok, w)
		}
	}
	if got, want := len(figures), len(wantFigures); got != want {
		t.Errorf("got %d summary rows, want %d", got, want)
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestCSVWriteError(t *testing.T) {
	s := Summarise(nil, 2025, decimal.Zero, decimal.New(5, -1))
	if err := CSV(failingWriter{}, s); err == nil {
		t.Errorf("CSV to a failing writer = nil, want an error")
	}
}
