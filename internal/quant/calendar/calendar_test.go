package calendar

import (
	"slices"
	"testing"
	"time"
)

func days(ds ...string) []time.Time {
	out := make([]time.Time, len(ds))
	for i, d := range ds {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			panic(err)
		}
		out[i] = t
	}
	return out
}

func TestNewAndIndex(t *testing.T) {
	c := New(days("2024-01-03", "2024-01-01", "2024-01-03", "2024-01-02"))
	if !slices.EqualFunc(c.Days(), days("2024-01-01", "2024-01-02", "2024-01-03"), time.Time.Equal) {
		t.Fatalf("Days = %v, want sorted without repeats", c.Days())
	}
	if i, ok := c.Index(days("2024-01-02")[0].Add(15 * time.Hour)); i != 1 || !ok {
		t.Errorf("Index(2024-01-02 15:00) = %d, %v; want 1, true (civil date)", i, ok)
	}
	if i, ok := c.Index(days("2024-01-05")[0]); i != 3 || ok {
		t.Errorf("Index(2024-01-05) = %d, %v; want 3, false", i, ok)
	}
}

func TestLayout(t *testing.T) {
	c := New(days("2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"))
	tests := []struct {
		name      string
		dates     []time.Time
		wantSlots []time.Time
		wantPos   []int
	}{
		{"OK", days("2024-01-02", "2024-01-03"), days("2024-01-02", "2024-01-03"), []int{0, 1}},
		{"Halt", days("2024-01-01", "2024-01-04"), days("2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"), []int{0, 3}},
		{"DayOutside", days("2024-01-05", "2024-01-06"), days("2024-01-05", "2024-01-06"), []int{0, 1}},
		{"BeforeCalendar", days("2023-12-29", "2024-01-02"), days("2023-12-29", "2024-01-01", "2024-01-02"), []int{0, 2}},
		{"Empty", nil, nil, []int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slots, pos := c.Layout(tt.dates)
			if !slices.EqualFunc(slots, tt.wantSlots, time.Time.Equal) || !slices.Equal(pos, tt.wantPos) {
				t.Errorf("Layout = %v, %v; want %v, %v", slots, pos, tt.wantSlots, tt.wantPos)
			}
		})
	}
}

func TestFirstChange(t *testing.T) {
	old := days("2024-01-01", "2024-01-02", "2024-01-04")
	tests := []struct {
		name string
		now  []time.Time
		want string
	}{
		{"Same", old, ""},
		{"Appended", days("2024-01-01", "2024-01-02", "2024-01-04", "2024-01-05"), ""},
		{"Inserted", days("2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"), "2024-01-03"},
		{"Removed", days("2024-01-01", "2024-01-04"), "2024-01-02"},
		{"RemovedLast", days("2024-01-01", "2024-01-02"), "2024-01-04"},
		{"InsertedFirst", days("2023-12-29", "2024-01-01", "2024-01-02", "2024-01-04"), "2023-12-29"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FirstChange(old, tt.now)
			if s := got.Format(time.DateOnly); ok != (tt.want != "") || ok && s != tt.want {
				t.Errorf("FirstChange = %s, %v; want %q", s, ok, tt.want)
			}
		})
	}
	if _, ok := FirstChange(nil, old); ok {
		t.Error("FirstChange(nil, …) reports a change; an empty record is not one")
	}
}
