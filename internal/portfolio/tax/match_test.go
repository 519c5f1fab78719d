package tax

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/testenv"
)

// wantDisposal is the hand-computed part of a Disposal.
type wantDisposal struct {
	parcel       int64
	quantity     string
	costBase     string
	proceeds     string
	gain         string
	discountable bool
}

func assertDisposals(t *testing.T, got []Disposal, want []wantDisposal) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d disposals, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.ParcelID != w.parcel {
			t.Errorf("disposal %d parcel = %d, want %d", i, g.ParcelID, w.parcel)
		}
		assertDecimal(t, "quantity", g.Quantity, w.quantity)
		assertDecimal(t, "cost base", g.CostBase, w.costBase)
		assertDecimal(t, "proceeds", g.Proceeds, w.proceeds)
		assertDecimal(t, "gain", g.Gain, w.gain)
		if g.Discountable != w.discountable {
			t.Errorf("disposal %d discountable = %v, want %v", i, g.Discountable, w.discountable)
		}
	}
}

// threeParcels is a BHP holding bought at $30, $45 and $38 a share, plus a
// parcel bought after the sale date and a parcel of another code, neither of
// which a BHP sale on 2025-06-20 may touch.
func threeParcels(t *testing.T) []Parcel {
	t.Helper()
	return []Parcel{
		mustParcel(t, 2, "BHP", "2023-08-10", "100", "4500.00"),
		mustParcel(t, 1, "BHP", "2022-03-15", "100", "3000.00"),
		mustParcel(t, 9, "CBA", "2020-01-02", "100", "100.00"),
		mustParcel(t, 3, "BHP", "2024-11-20", "100", "3800.00"),
		mustParcel(t, 4, "BHP", "2025-07-01", "100", "9000.00"),
	}
}

func TestMatchSaleMethods(t *testing.T) {
	tests := []struct {
		name     string
		method   Method
		picks    []Pick
		proceeds string
		want     []wantDisposal
	}{
		{"default is FIFO", "", nil, "6000.00", []wantDisposal{
			{1, "100", "3000.00", "4000.00", "1000.00", true},
			{2, "50", "2250.00", "2000.00", "-250.00", false},
		}},
		{"FIFO", FIFO, nil, "6000.00", []wantDisposal{
			{1, "100", "3000.00", "4000.00", "1000.00", true},
			{2, "50", "2250.00", "2000.00", "-250.00", false},
		}},
		{"FIFO uneven proceeds", FIFO, nil, "6001.01", []wantDisposal{
			{1, "100", "3000.00", "4000.67", "1000.67", true},
			{2, "50", "2250.00", "2000.34", "-249.66", false},
		}},
		{"LIFO", LIFO, nil, "6000.00", []wantDisposal{
			{3, "100", "3800.00", "4000.00", "200.00", false},
			{2, "50", "2250.00", "2000.00", "-250.00", false},
		}},
		{"MinGain", MinGain, nil, "6000.00", []wantDisposal{
			{2, "100", "4500.00", "4000.00", "-500.00", false},
			{3, "50", "1900.00", "2000.00", "100.00", false},
		}},
		{"MaxGain", MaxGain, nil, "6000.00", []wantDisposal{
			{1, "100", "3000.00", "4000.00", "1000.00", true},
			{3, "50", "1900.00", "2000.00", "100.00", false},
		}},
		{"Specific in pick order", Specific, []Pick{
			{ParcelID: 3, Quantity: decimal.NewFromInt(50)},
			{ParcelID: 1, Quantity: decimal.NewFromInt(100)},
		}, "6000.00", []wantDisposal{
			{3, "50", "1900.00", "2000.00", "100.00", false},
			{1, "100", "3000.00", "4000.00", "1000.00", true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sale := Sale{
				Code:     "bhp",
				Date:     testenv.Date(t, "2025-06-20"),
				Quantity: decimal.NewFromInt(150),
				Proceeds: testenv.Decimal(t, tt.proceeds),
				Method:   tt.method,
				Picks:    tt.picks,
			}
			got, err := MatchSale(threeParcels(t), sale)
			if err != nil {
				t.Fatalf("MatchSale: %v", err)
			}
			assertDisposals(t, got, tt.want)
			wantMethod := tt.method
			if wantMethod == "" {
				wantMethod = FIFO
			}
			for _, d := range got {
				if d.Method != wantMethod {
					t.Errorf("parcel %d method = %q, want %q", d.ParcelID, d.Method, wantMethod)
				}
				if want := testenv.Date(t, "2025-06-20"); !d.Sold.Equal(want) {
					t.Errorf("parcel %d sold = %s, want %s", d.ParcelID, d.Sold, want)
				}
			}
		})
	}
}

func TestMatchSaleTieBreaks(t *testing.T) {
	// Every parcel costs $10 a share, so the gain methods fall back to FIFO:
	// acquisition date, then id.
	parcels := func(t *testing.T) []Parcel {
		t.Helper()
		return []Parcel{
			mustParcel(t, 5, "NAB", "2024-01-10", "10", "100"),
			mustParcel(t, 3, "NAB", "2023-05-01", "5", "50"),
			mustParcel(t, 2, "NAB", "2023-05-01", "20", "200"),
		}
	}
	tests := []struct {
		method  Method
		parcels []int64
		qty     []string
	}{
		{FIFO, []int64{2, 3}, []string{"20", "2"}},
		{MinGain, []int64{2, 3}, []string{"20", "2"}},
		{MaxGain, []int64{2, 3}, []string{"20", "2"}},
		{LIFO, []int64{5, 3, 2}, []string{"10", "5", "7"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.method), func(t *testing.T) {
			got, err := MatchSale(parcels(t), Sale{
				Code: "NAB", Date: testenv.Date(t, "2025-03-03"),
				Quantity: decimal.NewFromInt(22), Proceeds: decimal.NewFromInt(330), Method: tt.method,
			})
			if err != nil {
				t.Fatalf("MatchSale: %v", err)
			}
			if len(got) != len(tt.parcels) {
				t.Fatalf("got %d disposals, want %d", len(got), len(tt.parcels))
			}
			for i, d := range got {
				if d.ParcelID != tt.parcels[i] {
					t.Errorf("disposal %d parcel = %d, want %d", i, d.ParcelID, tt.parcels[i])
				}
				assertDecimal(t, "quantity", d.Quantity, tt.qty[i])
			}
		})
	}
}

func TestMatchSaleApportionment(t *testing.T) {
	t.Run("PartialParcelsSumToCostBase", func(t *testing.T) {
		held := []Parcel{mustParcel(t, 1, "WES", "2024-01-02", "7", "1000.00")}
		wantCost := []string{"428.57", "285.72", "285.71"}
		total := decimal.Zero
		for i, qty := range []int64{3, 2, 2} {
			got, err := MatchSale(held, Sale{
				Code: "WES", Date: testenv.Date(t, "2024-06-03"),
				Quantity: decimal.NewFromInt(qty), Proceeds: decimal.NewFromInt(100 * qty),
			})
			if err != nil {
				t.Fatalf("sale %d: %v", i, err)
			}
			assertDecimal(t, "cost base", got[0].CostBase, wantCost[i])
			total = total.Add(got[0].CostBase)
			held, err = Remaining(held, got)
			if err != nil {
				t.Fatalf("Remaining after sale %d: %v", i, err)
			}
		}
		assertDecimal(t, "total cost base", total, "1000.00")
		if len(held) != 0 {
			t.Errorf("parcels left = %+v, want none", held)
		}
	})
	t.Run("ProceedsSumToSale", func(t *testing.T) {
		var held []Parcel
		for i := range int64(7) {
			held = append(held, Parcel{
				ID: i + 1, Code: "TLS", Acquired: testenv.Date(t, "2024-01-02"),
				Quantity: decimal.NewFromInt(1), CostBase: decimal.NewFromInt(1),
			})
		}
		got, err := MatchSale(held, Sale{
			Code: "TLS", Date: testenv.Date(t, "2024-06-03"),
			Quantity: decimal.NewFromInt(7), Proceeds: testenv.Decimal(t, "10.00"),
		})
		if err != nil {
			t.Fatalf("MatchSale: %v", err)
		}
		want := []string{"1.43", "1.43", "1.43", "1.42", "1.43", "1.43", "1.43"}
		total := decimal.Zero
		for i, d := range got {
			assertDecimal(t, "proceeds", d.Proceeds, want[i])
			total = total.Add(d.Proceeds)
		}
		assertDecimal(t, "total proceeds", total, "10.00")
	})
	t.Run("RemainingKeepsTheRest", func(t *testing.T) {
		held := []Parcel{
			mustParcel(t, 1, "CSL", "2024-01-02", "3", "100.00"),
			mustParcel(t, 2, "CSL", "2024-02-02", "4", "80.00"),
		}
		got, err := MatchSale(held, Sale{
			Code: "CSL", Date: testenv.Date(t, "2024-06-03"),
			Quantity: decimal.NewFromInt(1), Proceeds: testenv.Decimal(t, "40.00"),
		})
		if err != nil {
			t.Fatalf("MatchSale: %v", err)
		}
		assertDecimal(t, "cost base sold", got[0].CostBase, "33.33")
		left, err := Remaining(held, got)
		if err != nil {
			t.Fatalf("Remaining: %v", err)
		}
		if len(left) != 2 {
			t.Fatalf("parcels left = %d, want 2", len(left))
		}
		assertDecimal(t, "quantity left", left[0].Quantity, "2")
		assertDecimal(t, "cost base left", left[0].CostBase, "66.67")
		assertDecimal(t, "untouched cost base", left[1].CostBase, "80.00")
		assertDecimal(t, "original cost base", held[0].CostBase, "100.00")
	})
	t.Run("ErrRemainingUnknownParcel", func(t *testing.T) {
		held := []Parcel{mustParcel(t, 1, "CSL", "2024-01-02", "3", "100.00")}
		_, err := Remaining(held, []Disposal{{ParcelID: 2, Code: "CSL", Quantity: decimal.NewFromInt(1)}})
		assertAppErr(t, err, apperr.Invalid, "disposals")
	})
}

func TestMatchSaleDiscount(t *testing.T) {
	tests := []struct {
		name     string
		acquired string
		sold     string
		proceeds string
		want     bool
	}{
		{"one day short", "2024-07-01", "2025-07-01", "200", false},
		{"exactly enough", "2024-07-01", "2025-07-02", "200", true},
		{"leap day one day short", "2024-02-29", "2025-02-28", "200", false},
		{"leap day exactly enough", "2024-02-29", "2025-03-01", "200", true},
		{"loss is never discounted", "2020-07-01", "2025-07-02", "50", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			held := []Parcel{mustParcel(t, 1, "RIO", tt.acquired, "10", "100.00")}
			got, err := MatchSale(held, Sale{
				Code: "RIO", Date: testenv.Date(t, tt.sold),
				Quantity: decimal.NewFromInt(10), Proceeds: testenv.Decimal(t, tt.proceeds),
			})
			if err != nil {
				t.Fatalf("MatchSale: %v", err)
			}
			if got[0].Discountable != tt.want {
				t.Errorf("bought %s sold %s discountable = %v, want %v", tt.acquired, tt.sold, got[0].Discountable, tt.want)
			}
		})
	}
}

func TestMatchSaleErrors(t *testing.T) {
	pick := func(id, qty int64) Pick { return Pick{ParcelID: id, Quantity: decimal.NewFromInt(qty)} }
	tests := []struct {
		name    string
		parcels func(t *testing.T) []Parcel
		edit    func(s *Sale)
		code    apperr.Code
		field   string
		message []string
	}{
		{"more than held", threeParcels, func(s *Sale) { s.Quantity = decimal.NewFromInt(301) },
			apperr.Unprocessable, "", []string{"301", "300 held"}},
		{"later parcel not held yet", threeParcels, func(s *Sale) { s.Quantity = decimal.NewFromInt(400) },
			apperr.Unprocessable, "", []string{"400", "300 held"}},
		{"zero quantity", threeParcels, func(s *Sale) { s.Quantity = decimal.Zero }, apperr.Invalid, "quantity", nil},
		{"negative quantity", threeParcels, func(s *Sale) { s.Quantity = decimal.NewFromInt(-5) }, apperr.Invalid, "quantity", nil},
		{"negative proceeds", threeParcels, func(s *Sale) { s.Proceeds = decimal.NewFromInt(-1) }, apperr.Invalid, "proceeds", nil},
		{"no code", threeParcels, func(s *Sale) { s.Code = " " }, apperr.Invalid, "code", nil},
		{"no date", threeParcels, func(s *Sale) { s.Date = time.Time{} }, apperr.Invalid, "date", nil},
		{"unknown method", threeParcels, func(s *Sale) { s.Method = "average" }, apperr.Invalid, "method", nil},
		{"picks without specific", threeParcels, func(s *Sale) { s.Picks = []Pick{pick(1, 150)} }, apperr.Invalid, "picks", nil},
		{"specific without picks", threeParcels, func(s *Sale) { s.Method = Specific }, apperr.Invalid, "picks", nil},
		{"picks do not add up", threeParcels, func(s *Sale) {
			s.Method, s.Picks = Specific, []Pick{pick(1, 100), pick(2, 40)}
		}, apperr.Invalid, "picks", []string{"140", "150"}},
		{"unknown parcel id", threeParcels, func(s *Sale) {
			s.Method, s.Picks = Specific, []Pick{pick(1, 100), pick(77, 50)}
		}, apperr.Invalid, "picks", []string{"77"}},
		{"parcel of another code", threeParcels, func(s *Sale) {
			s.Method, s.Picks = Specific, []Pick{pick(1, 100), pick(9, 50)}
		}, apperr.Invalid, "picks", []string{"9"}},
		{"parcel bought after the sale", threeParcels, func(s *Sale) {
			s.Method, s.Picks = Specific, []Pick{pick(1, 100), pick(4, 50)}
		}, apperr.Invalid, "picks", []string{"4"}},
		{"parcel picked twice", threeParcels, func(s *Sale) {
			s.Method, s.Picks = Specific, []Pick{pick(2, 50), pick(2, 50), pick(1, 50)}
		}, apperr.Invalid, "picks", nil},
		{"non-positive pick", threeParcels, func(s *Sale) {
			s.Method, s.Picks = Specific, []Pick{pick(2, 0), pick(1, 100)}
		}, apperr.Invalid, "picks", nil},
		{"pick exceeds parcel", threeParcels, func(s *Sale) {
			s.Method, s.Picks = Specific, []Pick{pick(1, 150)}
		}, apperr.Unprocessable, "", []string{"150", "holds 100"}},
		{"duplicate parcel id", func(t *testing.T) []Parcel {
			return append(threeParcels(t), mustParcel(t, 1, "BHP", "2022-04-01", "5", "50"))
		}, func(*Sale) {}, apperr.Invalid, "parcels", nil},
		{"negative parcel quantity", func(t *testing.T) []Parcel {
			return append(threeParcels(t), mustParcel(t, 8, "BHP", "2022-04-01", "-5", "50"))
		}, func(*Sale) {}, apperr.Invalid, "parcels", nil},
		{"negative parcel cost base", func(t *testing.T) []Parcel {
			return append(threeParcels(t), mustParcel(t, 8, "BHP", "2022-04-01", "5", "-50"))
		}, func(*Sale) {}, apperr.Invalid, "parcels", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sale := Sale{
				Code: "BHP", Date: testenv.Date(t, "2025-06-20"),
				Quantity: decimal.NewFromInt(150), Proceeds: decimal.NewFromInt(6000),
			}
			tt.edit(&sale)
			got, err := MatchSale(tt.parcels(t), sale)
			if err == nil {
				t.Fatalf("MatchSale = %+v, want error", got)
			}
			e := assertAppErr(t, err, tt.code, tt.field)
			for _, s := range tt.message {
				if !strings.Contains(e.Message, s) {
					t.Errorf("message %q does not mention %q", e.Message, s)
				}
			}
		})
	}
}

func TestParseMethod(t *testing.T) {
	tests := []struct {
		in   string
		want Method
	}{
		{"", FIFO},
		{"fifo", FIFO},
		{" LIFO ", LIFO},
		{"min_gain", MinGain},
		{"Max_Gain", MaxGain},
		{"specific", Specific},
	}
	for _, tt := range tests {
		got, err := ParseMethod(tt.in)
		if err != nil {
			t.Errorf("ParseMethod(%q) error = %v, want nil", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseMethod(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	t.Run("ErrUnknown", func(t *testing.T) {
		_, err := ParseMethod("average")
		assertAppErr(t, err, apperr.Invalid, "method")
	})
}
