package store_test

import (
	"math"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/db"
	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/quant/store"
	"github.com/qlibpro/qlibpro/internal/testenv"
	"github.com/qlibpro/qlibpro/internal/testenv/testdb"
)

// TestTotalReturnLabelOnSeries: with closes 10, 11, 12, 11.5 and 0.50 going
// ex on the fourth day, the label of day 2 (return from close 3 to close 4)
// is (11.5 + 0.5)/12 − 1 = 0 with the dividend and 11.5/12 − 1 without.
func TestTotalReturnLabelOnSeries(t *testing.T) {
	s := store.New(nil)
	closes := []float64{10, 11, 12, 11.5}
	tr, err := s.TotalReturnLabel(closes, []float64{0, 0, 0, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	price, err := s.Label(closes)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{12.0/11 - 1, 0, math.NaN(), math.NaN()}
	wantPrice := []float64{12.0/11 - 1, 11.5/12 - 1, math.NaN(), math.NaN()}
	for i := range closes {
		if !same(tr[i], want[i]) || !same(price[i], wantPrice[i]) {
			t.Errorf("day %d: total return %v (want %v), price %v (want %v)", i, tr[i], want[i], price[i], wantPrice[i])
		}
	}
}

func same(a, b float64) bool {
	return math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) < 1e-12
}

// TestTotalReturnLabelOnShippedDividend: around CBA's 2024 interim ($2.15,
// ex 21 Feb 2024) the total-return label differs from Qlib's price label
// only on the day two bars before the ex-date, by 2.15 over the close of the
// day before the ex-date; CSL, without dividend data, has equal labels.
func TestTotalReturnLabelOnShippedDividend(t *testing.T) {
	pool := testdb.QuietDB(t, testdb.QuantTables...)
	s := store.New(pool)
	mustRefresh(t, s, "CBA", "CSL")
	from, to := testenv.Date(t, "2024-02-01"), testenv.Date(t, "2024-03-01")
	price, err := s.PanelLabelled(t.Context(), from, to, "")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := s.PanelLabelled(t.Context(), from, to, store.LabelTotalReturn)
	if err != nil {
		t.Fatal(err)
	}
	closes, err := db.New(pool).ListClosesFrom(t.Context(), db.ListClosesFromParams{Code: "CBA", Date: from})
	if err != nil {
		t.Fatal(err)
	}
	ex := testenv.Date(t, "2024-02-21")
	var onDay time.Time
	var cumClose float64
	for i := 0; i+2 < len(closes); i++ {
		if closes[i+2].Date.Equal(ex) {
			onDay, cumClose = closes[i].Date, closes[i+1].Close
		}
	}
	if onDay.IsZero() {
		t.Fatal("no CBA bar two days before the ex-date")
	}
	if price.Len() != tr.Len() || price.Len() == 0 {
		t.Fatalf("rows: price %d, total return %d", price.Len(), tr.Len())
	}
	checked := 0
	for i := range price.Len() {
		p, r := price.Row(i), tr.Row(i)
		if p.Code != r.Code || !p.Date.Equal(r.Date) {
			t.Fatalf("row %d: %s %v vs %s %v", i, p.Code, p.Date, r.Code, r.Date)
		}
		want := 0.0
		if p.Code == "CBA" && p.Date.Equal(onDay) {
			want, checked = 2.15/cumClose, checked+1
		}
		if d := r.Label - p.Label; !(math.IsNaN(p.Label) && math.IsNaN(r.Label)) && math.Abs(d-want) > 1e-12 {
			t.Errorf("%s %s: total return %v − price %v = %v, want %v", p.Code, p.Date.Format(time.DateOnly), r.Label, p.Label, d, want)
		}
	}
	if checked != 1 {
		t.Errorf("the dividend day was checked %d times, want once", checked)
	}
	if _, err := s.PanelLabelled(t.Context(), from, to, "weekly"); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("label weekly: %v, want Invalid", err)
	}
}

// TestTotalReturnLabelLeavesDemergersToTheFactor: BHP's in-specie Woodside
// distribution of 2022-05-25 is both a demerger in corporate-actions.csv
// (it adjusts BHP's earlier prices) and a $5.273 dividend in dividends.csv.
// The adjusted closes already carry it, so the total-return label must not
// add it again: around that day it equals the price label.
func TestTotalReturnLabelLeavesDemergersToTheFactor(t *testing.T) {
	pool := testdb.QuietDB(t, testdb.QuantTables...)
	s := store.New(pool)
	mustRefresh(t, s, "BHP")
	from, to := testenv.Date(t, "2022-05-10"), testenv.Date(t, "2022-06-10")
	evs, err := db.New(pool).ListDividendsBetween(t.Context(), db.ListDividendsBetweenParams{Codes: []string{"BHP"}, FromDate: from, ToDate: to})
	if err != nil || len(evs) != 1 {
		t.Fatalf("BHP's in-specie dividend in the shipped data: %d events, %v", len(evs), err)
	}
	price, err := s.PanelLabelled(t.Context(), from, to, "")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := s.PanelLabelled(t.Context(), from, to, store.LabelTotalReturn)
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for i := range price.Len() {
		p, r := price.Row(i), tr.Row(i)
		if p.Code != "BHP" {
			continue
		}
		rows++
		if !same(p.Label, r.Label) {
			t.Errorf("BHP %s: total return %v, price %v: the demerger counted twice", p.Date.Format(time.DateOnly), r.Label, p.Label)
		}
	}
	if rows < 15 {
		t.Fatalf("%d BHP rows in the panel", rows)
	}
}
