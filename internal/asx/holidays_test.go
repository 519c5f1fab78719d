package asx

import (
	"strings"
	"testing"
	"time"

	"github.com/qlibpro/qlibpro/internal/testenv"
)

// easterSunday uses the anonymous Gregorian algorithm (Meeus/Jones/Butcher),
// kept apart from the embedded data so a typo in either shows up.
func easterSunday(year int) civilDate {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return civilDate{year, time.Month(month), day}
}

func TestEasterSunday(t *testing.T) {
	tests := []struct {
		year int
		want string
	}{
		{1818, "1818-03-22"}, // earliest possible date
		{2000, "2000-04-23"},
		{2019, "2019-04-21"},
		{2024, "2024-03-31"},
		{2025, "2025-04-20"},
		{2026, "2026-04-05"},
		{2027, "2027-03-28"},
		{2038, "2038-04-25"}, // latest possible date
	}
	for _, tt := range tests {
		if got := easterSunday(tt.year).String(); got != tt.want {
			t.Errorf("easterSunday(%d) = %s, want %s", tt.year, got, tt.want)
		}
	}
}

// expectedHolidays states the ASX rules for one year independently of
// holidays.csv.
func expectedHolidays(year int) map[civilDate]holiday {
	want := make(map[civilDate]holiday)
	closed := func(d civilDate, name string) { want[d] = holiday{name, HolidayClosed} }
	isWeekend := func(d civilDate) bool {
		wd := d.weekday()
		return wd == time.Saturday || wd == time.Sunday
	}
	// New Year's Day and Australia Day move to Monday from a weekend.
	mondayised := func(d civilDate, name string) {
		if !isWeekend(d) {
			closed(d, name)
			return
		}
		for isWeekend(d) {
			d = d.addDays(1)
		}
		closed(d, name+" (observed)")
	}
	mondayised(civilDate{year, time.January, 1}, "New Year's Day")
	mondayised(civilDate{year, time.January, 26}, "Australia Day")

	easter := easterSunday(year)
	closed(easter.addDays(-2), "Good Friday")
	closed(easter.addDays(1), "Easter Monday")

	// Anzac Day on a weekend is not made up.
	if anzac := (civilDate{year, time.April, 25}); !isWeekend(anzac) {
		closed(anzac, "Anzac Day")
	}

	// The monarch's birthday: the second Monday in June.
	june := civilDate{year, time.June, 1}
	for june.weekday() != time.Monday {
		june = june.addDays(1)
	}
	monarch := "King's Birthday"
	if year <= 2022 {
		monarch = "Queen's Birthday"
	}
	closed(june.addDays(7), monarch)

	christmas := civilDate{year, time.December, 25}
	switch christmas.weekday() {
	case time.Friday:
		closed(christmas, "Christmas Day")
		closed(civilDate{year, time.December, 28}, "Boxing Day (observed)")
	case time.Saturday:
		closed(civilDate{year, time.December, 27}, "Christmas Day (observed)")
		closed(civilDate{year, time.December, 28}, "Boxing Day (observed)")
	case time.Sunday:
		closed(civilDate{year, time.December, 26}, "Boxing Day")
		closed(civilDate{year, time.December, 27}, "Christmas Day (observed)")
	default:
		closed(christmas, "Christmas Day")
		closed(civilDate{year, time.December, 26}, "Boxing Day")
	}

	// Early closes on the last trading day before Christmas and of the year;
	// in 2022 the ASX traded full days instead.
	if year != 2022 {
		for _, e := range []struct {
			day  int
			name string
		}{{24, "Last trading day before Christmas"}, {31, "Last trading day of the year"}} {
			d := civilDate{year, time.December, e.day}
			for isWeekend(d) {
				d = d.addDays(-1)
			}
			want[d] = holiday{e.name, HolidayEarlyClose}
		}
	}

	if year == 2022 {
		closed(civilDate{2022, time.September, 22}, "National Day of Mourning for Queen Elizabeth II")
	}
	return want
}

func TestHolidaysCSVMatchesRules(t *testing.T) {
	cal := DefaultCalendar()
	if cal.firstYear != 2015 || cal.lastYear != 2027 {
		t.Fatalf("covered years = %d..%d, want 2015..2027", cal.firstYear, cal.lastYear)
	}
	want := make(map[civilDate]holiday)
	for year := 2015; year <= 2027; year++ {
		for d, h := range expectedHolidays(year) {
			want[d] = h
		}
	}
	for d, w := range want {
		got, ok := cal.days[d]
		if !ok {
			t.Errorf("%s (%s): missing from holidays.csv, want %q %s", d, d.weekday(), w.name, w.kind)
			continue
		}
		if got != w {
			t.Errorf("%s: holidays.csv has %q %s, want %q %s", d, got.name, got.kind, w.name, w.kind)
		}
	}
	for d, got := range cal.days {
		if _, ok := want[d]; !ok {
			t.Errorf("%s (%s): holidays.csv lists %q %s, which no rule produces", d, d.weekday(), got.name, got.kind)
		}
	}
}

func TestParseCalendarRejects(t *testing.T) {
	const header = "date,name,kind\n"
	tests := []struct {
		name    string
		input   string
		wantErr string
	}{
		{"ErrHeader", "day,name,kind\n2026-01-01,New Year's Day,closed\n", "header"},
		{"ErrEmpty", header, "no holidays"},
		{"ErrDate", header + "2026-13-01,Bad,closed\n", "date"},
		{"ErrWeekend", header + "2026-04-25,Anzac Day,closed\n", "Saturday"},
		{"ErrKind", header + "2026-01-01,New Year's Day,shut\n", "unknown kind"},
		{"ErrName", header + "2026-01-01,,closed\n", "no name"},
		{"ErrDuplicate", header + "2026-01-01,A,closed\n2026-01-01,B,closed\n", "twice"},
		{"ErrFields", header + "2026-01-01,New Year's Day\n", "fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCalendar(strings.NewReader(tt.input))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseCalendar error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseCalendarOK(t *testing.T) {
	input := "# comment\ndate,name,kind\n2030-01-01,New Year's Day,closed\n2030-12-24,Christmas Eve,early_close\n"
	cal, err := ParseCalendar(strings.NewReader(input))
	if err != nil {
		t.Fatalf("ParseCalendar: %v", err)
	}
	name, kind, ok := cal.Holiday(testenv.DateIn(t, "2030-12-24", Sydney()))
	if !ok || name != "Christmas Eve" || kind != HolidayEarlyClose {
		t.Errorf("Holiday(2030-12-24) = %q, %s, %v; want \"Christmas Eve\", early_close, true", name, kind, ok)
	}
	if !cal.Covers(testenv.DateIn(t, "2030-06-30", Sydney())) || cal.Covers(testenv.DateIn(t, "2031-01-01", Sydney())) {
		t.Errorf("Covers: want 2030 only")
	}
}
