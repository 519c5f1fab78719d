package hub

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/market"
)

var t0 = time.Date(2025, 3, 3, 0, 0, 0, 123456789, time.UTC)

// sampleBatch is n ticks over codes in the shape the simulator produces.
func sampleBatch(n int, codes []string) []market.Tick {
	ticks := make([]market.Tick, n)
	for i := range ticks {
		p := 10 + float64(i%500)/100
		ticks[i] = market.Tick{
			Time: t0.Add(time.Duration(i) * 1733 * time.Microsecond), Code: codes[i%len(codes)],
			Price: p, Size: int64(100 + i%7*50), Bid: p - 0.01, Ask: p + 0.01, Seq: int64(1_000_000 + i),
			Kind: market.TickKind(i % 3),
		}
	}
	return ticks
}

func TestBatchRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		ticks []market.Tick
	}{
		{"Empty", nil},
		{"One", []market.Tick{{Time: t0, Code: "BHP", Price: 45.67, Size: 300, Bid: 45.66, Ask: 45.68, Seq: 1}}},
		{"Unscaled prices", []market.Tick{{Time: t0, Code: "XJO", Price: 0.1 + 0.2, Bid: math.Pi, Ask: 1e300, Seq: -5, Kind: market.Auction}}},
		{"No bid or ask", []market.Tick{{Time: t0, Code: "Z1P", Price: 0.001, Size: math.MaxInt64, Kind: market.QuoteOnly}}},
		{"Epoch and far times", []market.Tick{
			{Time: time.Unix(0, 0).UTC(), Code: "A"},
			{Time: time.Unix(0, math.MaxInt64).UTC(), Code: "B", Seq: math.MaxInt64},
			{Time: time.Unix(0, math.MinInt64).UTC(), Code: "A", Seq: math.MinInt64},
		}},
		{"Many", sampleBatch(1000, []string{"BHP", "CBA", "CSL", "WES", "NAB", "ANZ", "WBC", "FMG"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := EncodeBatch(tt.ticks)
			if err != nil {
				t.Fatalf("EncodeBatch: %v", err)
			}
			got, err := DecodeBatch(b)
			if err != nil {
				t.Fatalf("DecodeBatch: %v", err)
			}
			if len(got) != len(tt.ticks) {
				t.Fatalf("decoded %d ticks, want %d", len(got), len(tt.ticks))
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], tt.ticks[i]) {
					t.Errorf("tick %d = %+v, want %+v", i, got[i], tt.ticks[i])
				}
			}
		})
	}
}

func TestEncodeBatchRejects(t *testing.T) {
	ok := market.Tick{Time: t0, Code: "BHP", Price: 45, Size: 1}
	with := func(f func(*market.Tick)) market.Tick { t := ok; f(&t); return t }
	tests := []struct {
		name string
		tick market.Tick
	}{
		{"EmptyCode", with(func(t *market.Tick) { t.Code = "" })},
		{"LowerCode", with(func(t *market.Tick) { t.Code = "bhp" })},
		{"LongCode", with(func(t *market.Tick) { t.Code = "ABCDEFGHIJKLM" })},
		{"NewlineCode", with(func(t *market.Tick) { t.Code = "BHP\n" })},
		{"ZeroTime", with(func(t *market.Tick) { t.Time = time.Time{} })},
		{"Year3000", with(func(t *market.Tick) { t.Time = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC) })},
		{"NaNPrice", with(func(t *market.Tick) { t.Price = math.NaN() })},
		{"InfAsk", with(func(t *market.Tick) { t.Ask = math.Inf(1) })},
		{"NegativeBid", with(func(t *market.Tick) { t.Bid = -1 })},
		{"NegativeSize", with(func(t *market.Tick) { t.Size = -1 })},
		{"UnknownKind", with(func(t *market.Tick) { t.Kind = 7 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := EncodeBatch([]market.Tick{ok, tt.tick}); err == nil {
				t.Error("EncodeBatch accepted an invalid tick")
			}
		})
	}
}

func TestDecodeBatchRejects(t *testing.T) {
	valid, err := EncodeBatch(sampleBatch(3, []string{"BHP", "CBA"}))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func([]byte) []byte) []byte { return f(append([]byte(nil), valid...)) }
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"Nil", nil, ErrMalformed},
		{"JSON", []byte(`[{"c":"BHP","p":45}]`), ErrMalformed},
		{"HeaderOnly", []byte("QB\x01"), ErrMalformed},
		{"Version0", edit(func(b []byte) []byte { b[2] = 0; return b }), ErrVersion},
		{"Version2", edit(func(b []byte) []byte { b[2] = 2; return b }), ErrVersion},
		{"Truncated", valid[:len(valid)-1], ErrMalformed},
		{"Trailing", append(append([]byte(nil), valid...), 0), ErrMalformed},
		{"HugeCodeCount", []byte("QB\x01\xff\xff\xff\xff\x0f"), ErrMalformed},
		{"LowercaseCode", edit(func(b []byte) []byte { b[5] = 'h'; return b }), ErrMalformed},
		{"HugeTickCount", []byte("QB\x01\x01\x01A\xff\xff\xff\xff\x0f"), ErrMalformed},
		{"BadCodeIndex", []byte("QB\x01\x01\x01A\x01\x05\x1c\x02\x00\x00\x00\x00\x00"), ErrMalformed},
		{"UnknownFlag", []byte("QB\x01\x01\x01A\x01\x00\x9c\x02\x00\x00\x00\x00\x00"), ErrMalformed},
		{"UnknownKind", []byte("QB\x01\x01\x01A\x01\x00\x1f\x02\x00\x00\x00\x00\x00"), ErrMalformed},
		{"NaNPrice", []byte("QB\x01\x01\x01A\x01\x00\x18\x02\x00\x00\x00\x00\x00\x00\x00\xf8\x7f\x00\x00\x00"), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeBatch(tt.b)
			if !errors.Is(err, tt.want) {
				t.Errorf("DecodeBatch error = %v, want %v (ticks %+v)", err, tt.want, got)
			}
		})
	}
	// The hand-made minimal tick above is valid once the faults are removed.
	if _, err := DecodeBatch([]byte("QB\x01\x01\x01A\x01\x00\x1c\x02\x00\x00\x00\x00\x00")); err != nil {
		t.Errorf("minimal valid batch: %v", err)
	}
}

func FuzzDecodeBatch(f *testing.F) {
	for _, ticks := range [][]market.Tick{nil, sampleBatch(1, []string{"BHP"}), sampleBatch(20, []string{"BHP", "CBA", "XJO"})} {
		b, err := EncodeBatch(ticks)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("QB\x02"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ticks, err := DecodeBatch(b)
		if err != nil {
			return
		}
		// Whatever decodes is valid: it re-encodes and decodes to the same ticks.
		again, err := EncodeBatch(ticks)
		if err != nil {
			t.Fatalf("decoded ticks do not re-encode: %v", err)
		}
		back, err := DecodeBatch(again)
		if err != nil || !reflect.DeepEqual(back, ticks) {
			t.Fatalf("re-decode = %+v, %v; want %+v", back, err, ticks)
		}
	})
}

// jsonTick is the short-key JSON a simple feed might publish instead, for comparison.
type jsonTick struct {
	T int64   `json:"t"`
	C string  `json:"c"`
	P float64 `json:"p"`
	S int64   `json:"s"`
	B float64 `json:"b"`
	A float64 `json:"a"`
	Q int64   `json:"q"`
	K uint8   `json:"k"`
}

func BenchmarkDecodeBatch(b *testing.B) {
	ticks := sampleBatch(200, asx200[:200])
	enc, err := EncodeBatch(ticks)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Binary", func(b *testing.B) {
		b.SetBytes(int64(len(enc)))
		for b.Loop() {
			if _, err := DecodeBatch(enc); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(enc))/float64(len(ticks)), "wire-B/tick")
	})
	b.Run("ShortKeyJSON", func(b *testing.B) {
		js := make([]jsonTick, len(ticks))
		for i, t := range ticks {
			js[i] = jsonTick{t.Time.UnixNano(), t.Code, t.Price, t.Size, t.Bid, t.Ask, t.Seq, uint8(t.Kind)}
		}
		enc, err := json.Marshal(js)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(enc)))
		for b.Loop() {
			var out []jsonTick
			if err := json.Unmarshal(enc, &out); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(enc))/float64(len(ticks)), "wire-B/tick")
	})
}
