package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
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
		src   Source
		ticks []market.Tick
	}{
		{"Empty", testSource, nil},
		{"One", testSource, []market.Tick{{Time: t0, Code: "BHP", Price: 45.67, Size: 300, Bid: 45.66, Ask: 45.68, Seq: 1}}},
		{"Unscaled prices", testSource, []market.Tick{{Time: t0, Code: "XJO", Price: 0.1 + 0.2, Bid: math.Pi, Ask: 1e300, Seq: -5, Kind: market.Auction}}},
		{"No bid or ask", testSource, []market.Tick{{Time: t0, Code: "Z1P", Price: 0.001, Size: math.MaxInt64, Kind: market.QuoteOnly}}},
		{"Epoch and far times", testSource, []market.Tick{
			{Time: time.Unix(0, 0).UTC(), Code: "A"},
			{Time: time.Unix(0, math.MaxInt64).UTC(), Code: "B", Seq: math.MaxInt64},
			{Time: time.Unix(0, math.MinInt64).UTC(), Code: "A", Seq: math.MinInt64},
		}},
		{"Many", testSource, sampleBatch(1000, []string{"BHP", "CBA", "CSL", "WES", "NAB", "ANZ", "WBC", "FMG"})},
		{"Longest deployment, last epoch", Source{Deployment: strings.Repeat("~", MaxDeploymentLen), Epoch: math.MaxInt64},
			sampleBatch(3, []string{"BHP"})},
		{"Shortest deployment, first epoch", Source{Deployment: "!", Epoch: 1}, nil},
		{"Clock-sized epoch", Source{Deployment: "{qlibpro}:db15", Epoch: 1_780_000_000_000}, sampleBatch(2, []string{"CBA"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := EncodeBatch(tt.src, tt.ticks)
			if err != nil {
				t.Fatalf("EncodeBatch: %v", err)
			}
			src, got, err := DecodeBatch(b)
			if err != nil {
				t.Fatalf("DecodeBatch: %v", err)
			}
			if src != tt.src {
				t.Errorf("source = %+v, want %+v", src, tt.src)
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
			if _, err := EncodeBatch(testSource, []market.Tick{ok, tt.tick}); err == nil {
				t.Error("EncodeBatch accepted an invalid tick")
			}
		})
	}
	sources := []struct {
		name string
		src  Source
	}{
		{"NoDeployment", Source{Epoch: 1}},
		{"SpaceInDeployment", Source{Deployment: "qlibpro: db0", Epoch: 1}},
		{"NewlineInDeployment", Source{Deployment: "db0\n", Epoch: 1}},
		{"NonASCIIDeployment", Source{Deployment: "qlibpro:dé", Epoch: 1}},
		{"LongDeployment", Source{Deployment: strings.Repeat("a", MaxDeploymentLen+1), Epoch: 1}},
		{"ZeroEpoch", Source{Deployment: "db0"}},
		{"NegativeEpoch", Source{Deployment: "db0", Epoch: -1}},
	}
	for _, tt := range sources {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := EncodeBatch(tt.src, []market.Tick{ok}); err == nil {
				t.Errorf("EncodeBatch accepted source %+v", tt.src)
			}
		})
	}
}

// minimalBatch is a hand-made batch from deployment "test", epoch 5, of one
// tick of code A; the cases below break it one field at a time.
const (
	minimalHeader = "QB\x02\x04test\x05"
	minimalBatch  = minimalHeader + "\x01\x01A\x01\x00\x1c\x02\x00\x00\x00\x00\x00"
)

func TestDecodeBatchRejects(t *testing.T) {
	valid, err := EncodeBatch(testSource, sampleBatch(3, []string{"BHP", "CBA"}))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func([]byte) []byte) []byte { return f(append([]byte(nil), valid...)) }
	// v1 was the format before batches carried their source.
	v1 := "QB\x01\x01\x01A\x01\x00\x1c\x02\x00\x00\x00\x00\x00"
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"Nil", nil, ErrMalformed},
		{"JSON", []byte(`[{"c":"BHP","p":45}]`), ErrMalformed},
		{"HeaderOnly", []byte("QB\x02"), ErrMalformed},
		{"Version0", edit(func(b []byte) []byte { b[2] = 0; return b }), ErrVersion},
		{"Version1", []byte(v1), ErrVersion},
		{"Version3", edit(func(b []byte) []byte { b[2] = 3; return b }), ErrVersion},
		{"Truncated", valid[:len(valid)-1], ErrMalformed},
		{"Trailing", append(append([]byte(nil), valid...), 0), ErrMalformed},
		{"NoDeployment", []byte("QB\x02\x00\x05\x00\x00"), ErrMalformed},
		{"TruncatedDeployment", []byte("QB\x02\x09test"), ErrMalformed},
		{"SpaceInDeployment", []byte("QB\x02\x04te t\x05\x00\x00"), ErrMalformed},
		{"ControlInDeployment", []byte("QB\x02\x04te\x00t\x05\x00\x00"), ErrMalformed},
		{"NonASCIIDeployment", []byte("QB\x02\x04t\xc3\xa9t\x05\x00\x00"), ErrMalformed},
		{"LongDeployment", []byte("QB\x02\x65" + strings.Repeat("a", MaxDeploymentLen+1) + "\x05\x00\x00"), ErrMalformed},
		{"NoEpoch", []byte("QB\x02\x04test"), ErrMalformed},
		{"ZeroEpoch", []byte("QB\x02\x04test\x00\x00\x00"), ErrMalformed},
		{"EpochAboveInt64", []byte("QB\x02\x04test\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01\x00\x00"), ErrMalformed},
		{"OverlongEpoch", []byte("QB\x02\x04test\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x00\x00"), ErrMalformed},
		{"HugeCodeCount", []byte(minimalHeader + "\xff\xff\xff\xff\x0f"), ErrMalformed},
		{"LowercaseCode", edit(func(b []byte) []byte { b[bytes.Index(b, []byte("BHP"))] = 'b'; return b }), ErrMalformed},
		{"HugeTickCount", []byte(minimalHeader + "\x01\x01A\xff\xff\xff\xff\x0f"), ErrMalformed},
		{"BadCodeIndex", []byte(minimalHeader + "\x01\x01A\x01\x05\x1c\x02\x00\x00\x00\x00\x00"), ErrMalformed},
		{"UnknownFlag", []byte(minimalHeader + "\x01\x01A\x01\x00\x9c\x02\x00\x00\x00\x00\x00"), ErrMalformed},
		{"UnknownKind", []byte(minimalHeader + "\x01\x01A\x01\x00\x1f\x02\x00\x00\x00\x00\x00"), ErrMalformed},
		{"NaNPrice", []byte(minimalHeader + "\x01\x01A\x01\x00\x18\x02\x00\x00\x00\x00\x00\x00\x00\xf8\x7f\x00\x00\x00"), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, got, err := DecodeBatch(tt.b)
			if !errors.Is(err, tt.want) {
				t.Errorf("DecodeBatch error = %v, want %v (source %+v, ticks %+v)", err, tt.want, src, got)
			}
			if err != nil && (src != Source{} || got != nil) {
				t.Errorf("DecodeBatch returned source %+v and %d ticks with its error", src, len(got))
			}
		})
	}
	// The hand-made minimal batch above is valid once the faults are removed.
	src, ticks, err := DecodeBatch([]byte(minimalBatch))
	if err != nil || src != (Source{Deployment: "test", Epoch: 5}) || len(ticks) != 1 || ticks[0].Code != "A" {
		t.Errorf("minimal valid batch = %+v, %+v, %v", src, ticks, err)
	}
}

func FuzzDecodeBatch(f *testing.F) {
	for _, seed := range []struct {
		src   Source
		ticks []market.Tick
	}{
		{testSource, nil},
		{testSource, sampleBatch(1, []string{"BHP"})},
		{Source{Deployment: "qlibpro:db3", Epoch: 1_780_000_000_000}, sampleBatch(20, []string{"BHP", "CBA", "XJO"})},
		{Source{Deployment: strings.Repeat("~", MaxDeploymentLen), Epoch: math.MaxInt64}, sampleBatch(2, []string{"CSL"})},
	} {
		b, err := EncodeBatch(seed.src, seed.ticks)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(minimalBatch))
	f.Add([]byte("QB\x01\x01\x01A\x01\x00\x1c\x02\x00\x00\x00\x00\x00")) // version 1: no source
	f.Add([]byte("QB\x02\x00\x05\x00\x00"))                              // empty deployment
	f.Add([]byte("QB\x02\x04test\x00\x00\x00"))                          // epoch 0
	f.Add([]byte("QB\x03"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		src, ticks, err := DecodeBatch(b)
		if err != nil {
			return
		}
		// Whatever decodes is valid: it re-encodes and decodes to the same source and ticks.
		again, err := EncodeBatch(src, ticks)
		if err != nil {
			t.Fatalf("decoded batch does not re-encode: %v", err)
		}
		src2, back, err := DecodeBatch(again)
		if err != nil || src2 != src || !reflect.DeepEqual(back, ticks) {
			t.Fatalf("re-decode = %+v, %+v, %v; want %+v, %+v", src2, back, err, src, ticks)
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
	enc, err := EncodeBatch(testSource, ticks)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Binary", func(b *testing.B) {
		b.SetBytes(int64(len(enc)))
		for b.Loop() {
			if _, _, err := DecodeBatch(enc); err != nil {
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
