package components

// CoverageNote says which codes have dividend data, beside a figure that
// depends on it.
type CoverageNote struct {
	Covered []string // codes with dividend data
	Missing []string // codes the figure concerns that have none
}

// InstrumentDividendsView is an instrument's dividends with franking.
type InstrumentDividendsView struct {
	Code      string
	Rows      []InstrumentDividendRow
	Covered   []string // every code with dividend data
	HasData   bool
	Truncated bool   // more events than shown
	Summary   string // "19 dividends, ex-dates 2015 … 2025; 17 with franking stated"
}

// InstrumentDividendRow is one dividend of an instrument.
type InstrumentDividendRow struct {
	ExDate, PayDate, Kind, Amount, Franking, Credit, GrossedUp, Source string
}
