package dataset

import (
	"strings"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/asx"
)

// DateRange is a span of calendar days, both ends included, as Qlib's
// segment tuples are.
type DateRange struct {
	Start, End time.Time
}

// String formats r as "2015-01-01:2021-12-31", the form ParseRange reads.
func (r DateRange) String() string {
	return r.Start.Format(time.DateOnly) + ":" + r.End.Format(time.DateOnly)
}

// IsZero reports whether r is unset.
func (r DateRange) IsZero() bool { return r.Start.IsZero() && r.End.IsZero() }

// Contains reports whether t's calendar day lies inside r.
func (r DateRange) Contains(t time.Time) bool {
	d := asx.Civil(t)
	return !d.Before(asx.Civil(r.Start)) && !d.After(asx.Civil(r.End))
}

// ParseRange reads "YYYY-MM-DD:YYYY-MM-DD" into a DateRange of midnight-UTC
// days. It rejects other forms and ranges that end before they start.
func ParseRange(s string) (DateRange, error) {
	return parseRange("range", "date range", s)
}

func parseRange(field, what, s string) (DateRange, error) {
	from, to, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return DateRange{}, apperr.FieldError(field, "%s %q is not in the form YYYY-MM-DD:YYYY-MM-DD", what, s)
	}
	start, err := time.Parse(time.DateOnly, strings.TrimSpace(from))
	if err != nil {
		return DateRange{}, apperr.FieldError(field, "%s %q has a start that is not a YYYY-MM-DD date", what, s)
	}
	end, err := time.Parse(time.DateOnly, strings.TrimSpace(to))
	if err != nil {
		return DateRange{}, apperr.FieldError(field, "%s %q has an end that is not a YYYY-MM-DD date", what, s)
	}
	if end.Before(start) {
		return DateRange{}, apperr.FieldError(field, "%s %s ends before it starts", what, DateRange{start, end})
	}
	return DateRange{Start: start, End: end}, nil
}

// Segments are the train, valid and test windows of a dataset, as in
// Qlib's DatasetH segments.
type Segments struct {
	Train, Valid, Test DateRange
}

// ParseSegments parses three ranges in ParseRange form and validates them
// together. Errors name the segment at fault: "train", "valid" or "test".
func ParseSegments(train, valid, test string) (Segments, error) {
	var s Segments
	var err error
	if s.Train, err = parseRange("train", "train window", train); err != nil {
		return Segments{}, err
	}
	if s.Valid, err = parseRange("valid", "valid window", valid); err != nil {
		return Segments{}, err
	}
	if s.Test, err = parseRange("test", "test window", test); err != nil {
		return Segments{}, err
	}
	if err := s.Validate(); err != nil {
		return Segments{}, err
	}
	return s, nil
}

type namedRange struct {
	field string
	r     DateRange
}

func (s Segments) named() [3]namedRange {
	return [3]namedRange{{"train", s.Train}, {"valid", s.Valid}, {"test", s.Test}}
}

// Validate checks that every window is set, ends on or after its start, and
// that train, valid and test follow each other without overlapping.
func (s Segments) Validate() error {
	segs := s.named()
	for _, n := range segs {
		if n.r.IsZero() {
			return apperr.FieldError(n.field, "%s window is not set", n.field)
		}
		if asx.Civil(n.r.End).Before(asx.Civil(n.r.Start)) {
			return apperr.FieldError(n.field, "%s window %s ends before it starts", n.field, n.r)
		}
	}
	for i := 1; i < len(segs); i++ {
		prev, cur := segs[i-1], segs[i]
		if !asx.Civil(cur.r.Start).After(asx.Civil(prev.r.End)) {
			return apperr.FieldError(cur.field, "%s window %s must start after the %s window %s ends",
				cur.field, cur.r, prev.field, prev.r)
		}
	}
	return nil
}

// Split validates segs and cuts p into its train, valid and test windows.
// Every window must hold at least one row. The windows share p's storage.
func Split(p *Panel, segs Segments) (train, valid, test *Panel, err error) {
	if err := segs.Validate(); err != nil {
		return nil, nil, nil, err
	}
	var out [3]*Panel
	for i, n := range segs.named() {
		w := p.Window(n.r)
		if w.Len() == 0 {
			return nil, nil, nil, apperr.FieldError(n.field, "%s window %s holds no data; %s",
				n.field, n.r, p.span())
		}
		out[i] = w
	}
	return out[0], out[1], out[2], nil
}

// span describes the days p covers, for error messages.
func (p *Panel) span() string {
	if len(p.Dates) == 0 {
		return "the dataset is empty"
	}
	return "data runs " + p.Dates[0].Format(time.DateOnly) + " to " + p.Dates[len(p.Dates)-1].Format(time.DateOnly)
}
