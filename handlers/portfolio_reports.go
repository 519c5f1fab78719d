package handlers

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// portfolioReportsHandler serves the ledger and the tax reports of paper accounts.
type portfolioReportsHandler struct {
	pf *portfolio.Service
	r  *renderer
}

const ledgerPage = 50

// handleLedger is /portfolio/ledger?account=&before=: a page of
// transactions, the table alone for htmx.
func (h *portfolioReportsHandler) handleLedger(c echo.Context) error {
	a, err := currentAccount(c, h.pf)
	if err != nil {
		return err
	}
	before, err := beforeParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	txs, err := h.pf.Ledger(ctx, a, before, ledgerPage)
	if err != nil {
		return err
	}
	bal, err := h.pf.Balances(ctx, a)
	if err != nil {
		return err
	}
	v := components.LedgerView{AccountID: a.ID}
	for _, book := range []string{"cash", "holdings", "equity", "realised_pnl", "dividends", "franking_credits", "franking_income"} {
		v.Balances = append(v.Balances, components.Balance{Book: strings.ReplaceAll(book, "_", " "), Amount: display.Money(bal[book])})
	}
	for _, t := range txs {
		row := components.LedgerRow{ID: t.ID, At: display.DateTime(h.pf.SessionTime(t.At)), Kind: t.Kind, Memo: t.Memo,
			Cash: display.SignedMoney(t.CashChange()), CashDir: display.DirOf(t.CashChange())}
		if t.ReversesID != nil {
			row.Reverses = strconv.FormatInt(*t.ReversesID, 10)
		}
		for _, l := range t.Lines {
			lr := components.LedgerLineRow{Book: strings.ReplaceAll(l.Book, "_", " "), Code: l.Code}
			if !l.Quantity.IsZero() {
				lr.Quantity = display.Quantity(l.Quantity)
			}
			if l.Amount.IsNegative() {
				lr.Credit = display.Money(l.Amount.Neg())
			} else {
				lr.Debit = display.Money(l.Amount)
			}
			row.Lines = append(row.Lines, lr)
		}
		v.Rows = append(v.Rows, row)
	}
	if len(txs) == ledgerPage {
		v.Older = "/portfolio/ledger?account=" + strconv.FormatInt(a.ID, 10) + "&before=" + strconv.FormatInt(txs[len(txs)-1].ID, 10)
	}
	page := func() (templ.Component, error) {
		nav, err := portfolioNav(ctx, h.pf, currentUser(c).ID, a, "ledger", "/portfolio/ledger")
		return pages.PortfolioLedger(pages.LedgerPageView{Nav: nav, Ledger: v, Script: h.r.assets.URL("js/portfolio.js")}), err
	}
	return h.r.respond(c, http.StatusOK, "Ledger", "portfolio", page, ready(components.LedgerTable(v)))
}

// taxReport loads account a's CGT report and dividend income for the
// financial year in ?fy= (default: the current one), for the page and the API.
func taxReport(c echo.Context, pf *portfolio.Service, a portfolio.Account) (portfolio.CGTReport, portfolio.IncomeSummary, error) {
	fy, err := portfolio.ParseFY(strings.TrimSpace(c.QueryParam("fy")), pf.TradeDate())
	if err != nil {
		return portfolio.CGTReport{}, portfolio.IncomeSummary{}, err
	}
	ctx := c.Request().Context()
	r, err := pf.CGT(ctx, a, fy)
	if err != nil {
		return r, portfolio.IncomeSummary{}, err
	}
	inc, err := pf.Income(ctx, a, fy)
	return r, inc, err
}

// handleTax is /portfolio/tax?account=&fy=: the CGT schedule and dividend
// income of one financial year.
func (h *portfolioReportsHandler) handleTax(c echo.Context) error {
	a, err := currentAccount(c, h.pf)
	if err != nil {
		return err
	}
	rep, inc, err := taxReport(c, h.pf, a)
	if err != nil {
		return err
	}
	cov, err := h.pf.DividendCoverage(c.Request().Context())
	if err != nil {
		return err
	}
	v := taxView(a, rep, inc, cov, h.pf.TradeDate())
	page := func() (templ.Component, error) {
		nav, err := portfolioNav(c.Request().Context(), h.pf, currentUser(c).ID, a, "tax", "/portfolio/tax")
		return pages.PortfolioTax(pages.TaxPageView{Nav: nav, Report: v, Script: h.r.assets.URL("js/portfolio.js")}), err
	}
	return h.r.respond(c, http.StatusOK, "Tax "+rep.Label, "portfolio", page, ready(components.TaxReport(v)))
}

// handleCGTCSV exports the year's CGT schedule and dividend income as CSV.
func (h *portfolioReportsHandler) handleCGTCSV(c echo.Context) error {
	a, err := currentAccount(c, h.pf)
	if err != nil {
		return err
	}
	rep, inc, err := taxReport(c, h.pf, a)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := portfolio.TaxCSV(&b, rep, inc); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="cgt-`+strconv.Itoa(rep.FY)+`-account-`+strconv.FormatInt(a.ID, 10)+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}

func taxView(a portfolio.Account, rep portfolio.CGTReport, inc portfolio.IncomeSummary, cov portfolio.Coverage, today time.Time) components.TaxView {
	s := rep.Summary
	v := components.TaxView{AccountID: a.ID, FY: rep.FY, Label: rep.Label,
		CSVURL: "/portfolio/tax/cgt.csv?account=" + strconv.FormatInt(a.ID, 10) + "&fy=" + strconv.Itoa(rep.FY),
		Figures: []components.Figure{
			{Label: "Discountable capital gains (held 12 months)", Value: display.Money(s.DiscountableGains)},
			{Label: "Other capital gains", Value: display.Money(s.OtherGains)},
			{Label: "Total current year capital gains", Value: display.Money(s.TotalGains), Strong: true},
			{Label: "Capital losses this year", Value: display.Money(s.CurrentLosses)},
			{Label: "Net capital losses from earlier years", Value: display.Money(s.PriorLosses)},
			{Label: "Losses applied (before the discount)", Value: display.Money(s.LossesApplied())},
			{Label: "CGT discount (50 %)", Value: display.Money(s.Discount)},
			{Label: "Net capital gain", Value: display.Money(s.NetCapitalGain), Strong: true},
			{Label: "Net capital losses carried forward", Value: display.Money(s.LossCarriedForward)},
		},
		Disposals: disposalRows(s.Disposals),
		Income: components.IncomeView{Cash: display.Money(inc.Cash), Franked: display.Money(inc.Franked), Unfranked: display.Money(inc.Unfranked),
			Credits: display.Money(inc.Credits), Gross: display.Money(inc.GrossedUp),
			Coverage: components.CoverageNote{Covered: cov.List(), Missing: inc.NoData}},
	}
	if !inc.Unstated.IsZero() {
		v.Income.Unstated = display.Money(inc.Unstated)
	}
	years := map[int]bool{rep.FY: true}
	current := tax.FinancialYear(a.CreatedAt)
	for y := current; y <= tax.FinancialYear(today); y++ {
		years[y] = true
	}
	for _, y := range rep.Years {
		years[y] = true
	}
	for y := tax.FinancialYear(today) + 1; y >= 2000; y-- {
		if years[y] {
			v.Years = append(v.Years, components.Option{Value: strconv.Itoa(y), Label: tax.FYLabel(y)})
		}
	}
	for _, d := range inc.Dividends {
		v.Income.Rows = append(v.Income.Rows, components.DividendRow{Code: d.Code, Kind: d.Kind, ExDate: display.ShortDate(d.ExDate), PayDate: display.ShortDate(d.PayDate),
			Quantity: display.Quantity(d.Quantity), PerShare: "$" + d.PerShare.StringFixed(4), Franking: display.Franking(d.FrankingPct),
			Amount: display.Money(d.Amount), Credit: display.Money(d.FrankingCredit), Gross: display.Money(d.GrossedUp)})
	}
	return v
}
