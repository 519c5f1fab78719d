package replay

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/market"
)

const ticksCSV = `time,code,price,size,bid,ask
# a comment
2026-06-02T00:00:00Z,bhp,45.67,100,45.66,45.67
2026-06-02T00:00:01.5Z,CBA,150.10,0,150.05,150.10
2026-06-02T10:00:02+10:00,BHP,45.68,250,,
`

func TestReadTicksCSV(t *testing.T) {
	got, err := ReadTicksCSV(strings.NewReader(ticksCSV))
	if err != nil {
		t.Fatalf("ReadTicksCSV: %v", err)
	}
	t0 := time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC)
	want := []market.Tick{
		{Time: t0, Code: "BHP", Price: 45.67, Size: 100, Bid: 45.66, Ask: 45.67, Kind: market.Trade},
		{Time: t0.Add(1500 * time.Millisecond), Code: "CBA", Price: 150.10, Bid: 150.05, Ask: 150.10, Kind: market.QuoteOnly},
		{Time: t0.Add(2 * time.Second), Code: "BHP", Price: 45.68, Size: 250, Kind: market.Trade},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d ticks, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("tick %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestReadTicksCSVErrors(t *testing.T) {
	const ok = "2026-06-02T00:00:00Z,BHP,45.67,100,45.66,45.67\n"
	tests := []struct {
		name, csv, want string
	}{
		{"BadTime", ok + "2026-06-02 00:00:01,BHP,45.67,100,,\n", "line 2: time"},
		{"NoCode", ok + "2026-06-02T00:00:01Z,,45.67,100,,\n", "line 2: code is empty"},
		{"NotACode", ok + "2026-06-02T00:00:01Z,B<X,45.67,100,,\n", `line 2: code "B<X" is not an ASX code`},
		{"TimeOutOfRange", "0001-01-01T00:00:00Z,BHP,45.67,100,,\n", "line 1: time 0001-01-01T00:00:00Z is outside the years 1678 to 2262"},
		{"ZeroPrice", "time,code,price,size,bid,ask\n" + ok + "2026-06-02T00:00:01Z,BHP,0,100,,\n", "line 3: price 0 must be positive"},
		{"TextPrice", ok + "2026-06-02T00:00:01Z,BHP,abc,100,,\n", `line 2: price "abc" is not a number`},
		{"FractionalSize", ok + "2026-06-02T00:00:01Z,BHP,45.67,1.5,,\n", `line 2: size "1.5"`},
		{"NegativeSize", ok + "2026-06-02T00:00:01Z,BHP,45.67,-1,,\n", `line 2: size "-1"`},
		{"NegativeBid", ok + "2026-06-02T00:00:01Z,BHP,45.67,1,-1,\n", "line 2: bid -1 must be positive"},
		{"NaNAsk", ok + "2026-06-02T00:00:01Z,BHP,45.67,1,,NaN\n", `line 2: ask "NaN" is not a number`},
		{"FewFields", ok + "2026-06-02T00:00:01Z,BHP,45.67\n", "line 2: 3 fields, want 6"},
		{"Backwards", ok + "2026-06-01T23:59:59Z,BHP,45.67,1,,\n", "line 2: time goes backwards"},
		{"Empty", "time,code,price,size,bid,ask\n", "no ticks"},
		{"BadQuote", ok + "2026-06-02T00:00:01Z,\"BHP,45.67,1,,\n", "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadTicksCSV(strings.NewReader(tt.csv))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ReadTicksCSV() error = %v, want it to contain %q", err, tt.want)
			}
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("error code = %s, want invalid", apperr.CodeOf(err))
			}
		})
	}
}

func mustTicks(t *testing.T) []market.Tick {
	t.Helper()
	ticks, err := ReadTicksCSV(strings.NewReader(ticksCSV))
	if err != nil {
		t.Fatal(err)
	}
	return ticks
}

func TestTicksRun(t *testing.T) {
	ticks := mustTicks(t)
	r, err := NewTicks(ticks, TicksOptions{Speed: 100, FirstSeq: 41})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Clock().Session(time.Now()); !got.Equal(ticks[0].Time) {
		t.Errorf("Session before Run = %v, want the first tick's time %v", got, ticks[0].Time)
	}
	start := time.Now()
	var got []market.Tick
	err = r.Run(context.Background(), func(b []market.Tick) error {
		got = append(got, b...)
		return nil
	})
	if err != nil {
		t.Fatalf("Run() = %v, want nil at the end of the data", err)
	}
	if len(got) != len(ticks) {
		t.Fatalf("emitted %d ticks, want %d", len(got), len(ticks))
	}
	if got[0].Time.Before(start) || got[0].Time.Sub(start) > time.Second {
		t.Errorf("first tick at %v, want about the start %v", got[0].Time, start)
	}
	for i, tk := range got {
		if want := int64(41 + i); tk.Seq != want {
			t.Errorf("tick %d Seq = %d, want %d", i, tk.Seq, want)
		}
		gap, wantGap := tk.Time.Sub(got[0].Time), ticks[i].Time.Sub(ticks[0].Time)/100
		if gap != wantGap {
			t.Errorf("tick %d is %v after the first, want %v", i, gap, wantGap)
		}
		tk.Time, tk.Seq = ticks[i].Time, 0
		if tk != ticks[i] {
			t.Errorf("tick %d = %+v, want %+v", i, tk, ticks[i])
		}
	}
	if s := r.Clock().Session(got[0].Time.Add(5 * time.Millisecond)); !s.Equal(ticks[0].Time.Add(500 * time.Millisecond)) {
		t.Errorf("Session 5ms into the replay = %v, want half a second of history", s)
	}
}

func TestTicksRunLoop(t *testing.T) {
	r, err := NewTicks(mustTicks(t), TicksOptions{Speed: 1000, Loop: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got []market.Tick
	err = r.Run(ctx, func(b []market.Tick) error {
		got = append(got, b...)
		if len(got) >= 8 {
			cancel()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Run() = %v, want nil when the context ends", err)
	}
	if len(got) < 8 {
		t.Fatalf("emitted %d ticks before the deadline, want 8", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq != got[i-1].Seq+1 || got[i].Time.Before(got[i-1].Time) {
			t.Errorf("tick %d: seq %d at %v after seq %d at %v", i, got[i].Seq, got[i].Time, got[i-1].Seq, got[i-1].Time)
		}
	}
	if got[3].Code != got[0].Code || got[3].Price != got[0].Price {
		t.Errorf("second pass starts with %+v, want a repeat of %+v", got[3], got[0])
	}
}

func TestNewTicksUnordered(t *testing.T) {
	ticks := mustTicks(t)
	ticks[0], ticks[2] = ticks[2], ticks[0]
	if _, err := NewTicks(ticks, TicksOptions{}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("NewTicks(unordered) error = %v, want invalid", err)
	}
	if _, err := NewTicks(nil, TicksOptions{}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("NewTicks(nil) error = %v, want invalid", err)
	}
}
