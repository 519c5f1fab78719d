package handlers

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/portfolio"
	"github.com/qlibpro/qlibpro/internal/portfolio/tax"
	"github.com/qlibpro/qlibpro/views/components"
	"github.com/qlibpro/qlibpro/views/display"
	"github.com/qlibpro/qlibpro/views/pages"
)

// PaperReportsHandler serves the ledger and the tax reports of paper accounts.
type PaperReportsHandler struct {
	pf *portfolio.Service
	r  *renderer
}

const ledgerPage = 50

// handleLedger is /portfolio/ledger?account=&before=: a page of
// transactions, the table alone for htmx.
func (h *PaperReportsHandler) handleLedger(c echo.Context) error {
	a, err := currentAccount(c, h.pf)
	if err != nil {
		return err
	}
	var before int64
	if raw := c.QueryParam("before"); raw != "" {
		if before, err = strconv.ParseInt(raw, 10, 64); err != nil || before < 0 {
			return apperr.FieldError("before", "before must be a transaction number.")
		}
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
	for _, book := range []string{"cash", "holdings", "equity", "realised_pnl", "dividends"} {
		v.Balances = append(v.Balances, components.Balance{Book: strings.ReplaceAll(book, "_", " "), Amount: fmtMoney(bal[book])})
	}
	for _, t := range txs {
		row := components.LedgerRow{ID: t.ID, At: display.DateTime(t.At), Kind: t.Kind, Memo: t.Memo,
			Cash: fmtSigned(t.CashChange()), CashDir: fmtDir(t.CashChange())}
		if t.ReversesID != nil {
			row.Reverses = strconv.FormatInt(*t.ReversesID, 10)
		}
		for _, l := range t.Lines {
			lr := components.LedgerLineRow{Book: strings.ReplaceAll(l.Book, "_", " "), Code: l.Code}
			if !l.Quantity.IsZero() {
				lr.Quantity = fmtQty(l.Quantity)
			}
			if l.Amount.IsNegative() {
				lr.Credit = fmtMoney(l.Amount.Neg())
			} else {
				lr.Debit = fmtMoney(l.Amount)
			}
			row.Lines = append(row.Lines, lr)
		}
		v.Rows = append(v.Rows, row)
	}
	if len(txs) == ledgerPage {
		v.Older = "/portfolio/ledger?account=" + strconv.FormatInt(a.ID, 10) + "&before=" + strconv.FormatInt(txs[len(txs)-1].ID, 10)
	}
	c.Response().Header().Add("Vary", "HX-Request")
	if isHTMX(c) {
		return component(c, http.StatusOK, components.LedgerTable(v))
	}
	nav, err := portfolioNav(ctx, h.pf, currentUser(c).ID, a, "ledger", "/portfolio/ledger")
	if err != nil {
		return err
	}
	return h.r.page(c, http.StatusOK, "Ledger", "portfolio", pages.PortfolioLedger(pages.LedgerPageView{
		Nav: nav, Ledger: v, Script: h.r.assets.URL("js/portfolio.js")}))
}

// report loads the CGT report and income summary of the requested year.
func (h *PaperReportsHandler) report(c echo.Context, a portfolio.Account) (portfolio.CGTReport, portfolio.IncomeSummary, error) {
	fy, err := portfolio.ParseFY(strings.TrimSpace(c.QueryParam("fy")), h.pf.TradeDate())
	if err != nil {
		return portfolio.CGTReport{}, portfolio.IncomeSummary{}, err
	}
	ctx := c.Request().Context()
	r, err := h.pf.CGT(ctx, a, fy)
	if err != nil {
		return r, portfolio.IncomeSummary{}, err
	}
	inc, err := h.pf.Income(ctx, a, fy)
	return r, inc, err
}

// handleTax is /portfolio/tax?account=&fy=: the CGT schedule and dividend
// income of one financial year.
func (h *PaperReportsHandler) handleTax(c echo.Context) error {
	a, err := currentAccount(c, h.pf)
	if err != nil {
		return err
	}
	rep, inc, err := h.report(c, a)
	if err != nil {
		return err
	}
	v := taxView(a, rep, inc, h.pf.TradeDate())
	c.Response().Header().Add("Vary", "HX-Request")
	if isHTMX(c) {
		return component(c, http.StatusOK, components.TaxReport(v))
	}
	nav, err := portfolioNav(c.Request().Context(), h.pf, currentUser(c).ID, a, "tax", "/portfolio/tax")
	if err != nil {
		return err
	}
	return h.r.page(c, http.StatusOK, "Tax "+rep.Label, "portfolio", pages.PortfolioTax(pages.TaxPageView{
		Nav: nav, Report: v, Script: h.r.assets.URL("js/portfolio.js")}))
}

// handleCGTCSV exports the year's CGT schedule as CSV.
func (h *PaperReportsHandler) handleCGTCSV(c echo.Context) error {
	a, err := currentAccount(c, h.pf)
	if err != nil {
		return err
	}
	rep, _, err := h.report(c, a)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := rep.CSV(&b); err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="cgt-`+strconv.Itoa(rep.FY)+`-account-`+strconv.FormatInt(a.ID, 10)+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}

func taxView(a portfolio.Account, rep portfolio.CGTReport, inc portfolio.IncomeSummary, today time.Time) components.TaxView {
	s := rep.Summary
	v := components.TaxView{AccountID: a.ID, FY: rep.FY, Label: rep.Label,
		CSVURL: "/portfolio/tax/cgt.csv?account=" + strconv.FormatInt(a.ID, 10) + "&fy=" + strconv.Itoa(rep.FY),
		Figures: []components.Figure{
			{Label: "Discountable capital gains (held 12 months)", Value: fmtMoney(s.DiscountableGains)},
			{Label: "Other capital gains", Value: fmtMoney(s.OtherGains)},
			{Label: "Total current year capital gains", Value: fmtMoney(s.TotalGains), Strong: true},
			{Label: "Capital losses this year", Value: fmtMoney(s.CurrentLosses)},
			{Label: "Net capital losses from earlier years", Value: fmtMoney(s.PriorLosses)},
			{Label: "Losses applied (before the discount)", Value: fmtMoney(s.LossesApplied())},
			{Label: "CGT discount (50 %)", Value: fmtMoney(s.Discount)},
			{Label: "Net capital gain", Value: fmtMoney(s.NetCapitalGain), Strong: true},
			{Label: "Net capital losses carried forward", Value: fmtMoney(s.LossCarriedForward)},
		},
		Disposals: disposalRows(s.Disposals),
		Income: components.IncomeView{Cash: fmtMoney(inc.Cash), Franked: fmtMoney(inc.Franked), Unfranked: fmtMoney(inc.Unfranked),
			Credits: fmtMoney(inc.Credits), Gross: fmtMoney(inc.GrossedUp)},
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
		v.Income.Rows = append(v.Income.Rows, components.DividendRow{Code: d.Code, ExDate: fmtDate(d.ExDate), PayDate: fmtDate(d.PayDate),
			Quantity: fmtQty(d.Quantity), PerShare: "$" + d.PerShare.StringFixed(4), Franking: d.FrankingPct.String() + " %",
			Amount: fmtMoney(d.Amount), Credit: fmtMoney(d.FrankingCredit), Gross: fmtMoney(d.GrossedUp)})
	}
	return v
}
