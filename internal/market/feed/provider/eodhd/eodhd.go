// Package eodhd is a feed provider for EODHD's live (delayed) stock prices
// API, GET {base}/real-time/{CODE}.AU?s={CODE2}.AU,…&api_token=…&fmt=json,
// which serves ASX quotes 15–20 minutes late on standard plans. It polls in
// batches, turns every changed quote into a tick stamped with the quote's own
// time, and always runs on the real clock.
package eodhd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qlibpro/qlibpro/internal/apperr"
	"github.com/qlibpro/qlibpro/internal/market"
	"github.com/qlibpro/qlibpro/internal/market/feed/provider"
)

// Name is the provider name.
const Name = "eodhd"

// Defaults. EODHD counts one API call per symbol and advises batches of
// 15–20 symbols per request.
const (
	DefaultBaseURL   = "https://eodhd.com/api"
	DefaultPollEvery = 60 * time.Second
	DefaultBatchSize = 15
	MaxBatchSize     = 20
	DefaultTimeout   = 10 * time.Second
	// MaxBackoff caps the wait after EODHD asks the provider to slow down.
	MaxBackoff = 15 * time.Minute
)

// suffix is EODHD's exchange code for the ASX.
const suffix = ".AU"

// maxBody bounds a response read; 20 quotes take a few kilobytes.
const maxBody = 4 << 20

// Config configures the provider.
type Config struct {
	APIKey    string        // required; sent as api_token and never logged
	Symbols   []string      // ASX codes such as "BHP" (a ".AU" suffix is accepted)
	BaseURL   string        // default DefaultBaseURL; tests point it at httptest
	PollEvery time.Duration // default 60s
	BatchSize int           // symbols per request, 1..20; default 15
	Timeout   time.Duration // per request; default 10s
	Client    *http.Client  // default a client with Timeout
	Logger    *slog.Logger  // for errors the provider rides out; default discards
	FirstSeq  int64         // Seq of the first tick; default 1
	// Resume is what the ticks table already holds for today per code (the
	// last price, the volume so far and when): a restarted feed or a new
	// leader then emits only what is new instead of the whole day again.
	Resume map[string]Resume
}

// Resume is one code's state from the ticks already stored today.
type Resume struct {
	Close  float64
	Volume int64
	At     time.Time
}

// String describes the configuration with the API key redacted, so printing
// or logging a Config cannot leak it.
func (c Config) String() string {
	return fmt.Sprintf("eodhd.Config{BaseURL:%q Symbols:%d PollEvery:%v BatchSize:%d APIKey:%s}",
		c.BaseURL, len(c.Symbols), c.PollEvery, c.BatchSize, redacted)
}

const redacted = "REDACTED"

// Provider polls EODHD. Poll is not safe for concurrent use, nor while Run is
// running.
type Provider struct {
	key       string
	base      string
	symbols   []string
	pollEvery time.Duration
	batch     int
	client    *http.Client
	log       *slog.Logger
	seen      map[string]last
	seq       int64
}

var _ provider.Provider = (*Provider)(nil)

// New returns a provider for cfg, or an Invalid error naming what is missing.
func New(cfg Config) (*Provider, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, apperr.New(apperr.Invalid, "eodhd: an API key is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, apperr.New(apperr.Invalid, "eodhd: base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	var symbols []string
	for _, s := range cfg.Symbols {
		if code := asxCode(s); code != "" && !slices.Contains(symbols, code) {
			symbols = append(symbols, code)
		}
	}
	if len(symbols) == 0 {
		return nil, apperr.New(apperr.Invalid, "eodhd: no symbols to poll")
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = DefaultPollEvery
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: cfg.Timeout}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.FirstSeq <= 0 {
		cfg.FirstSeq = 1
	}
	seen := map[string]last{}
	for code, r := range cfg.Resume {
		seen[asxCode(code)] = last{close: r.Close, volume: r.Volume, at: r.At.UTC()}
	}
	return &Provider{
		key:       cfg.APIKey,
		base:      strings.TrimRight(cfg.BaseURL, "/"),
		symbols:   symbols,
		pollEvery: cfg.PollEvery,
		batch:     min(cfg.BatchSize, MaxBatchSize),
		client:    cfg.Client,
		log:       cfg.Logger.With(slog.String("provider", Name)),
		seen:      seen,
		seq:       cfg.FirstSeq - 1,
	}, nil
}

// Name returns "eodhd".
func (p *Provider) Name() string { return Name }

// Clock returns the real clock: EODHD quotes are real.
func (p *Provider) Clock() provider.Clock { return provider.RealClock{} }

// Run polls at once and then every PollEvery, emitting the ticks of each
// poll. A rejected API key ends Run with that error, as does an error from
// emit; rate limits (429) and a used-up daily allowance (402) back off up to
// MaxBackoff; other failures are logged and the next poll comes as usual.
// Run returns nil when ctx ends.
func (p *Provider) Run(ctx context.Context, emit func([]market.Tick) error) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	var wait time.Duration
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		ticks, err := p.Poll(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if len(ticks) > 0 {
			if err := emit(ticks); err != nil {
				return err
			}
		}
		var se *statusError
		switch {
		case err == nil:
			wait = 0
		case errors.As(err, &se) && se.fatal():
			return err
		case errors.As(err, &se) && se.throttled():
			wait = backoff(wait, p.pollEvery, se.retryAfter)
			p.log.Warn("EODHD asked to slow down", slog.Any("error", err), slog.Duration("wait", wait))
		default:
			wait = 0
			p.log.Warn("EODHD poll failed", slog.Any("error", err))
		}
		timer.Reset(max(wait, p.pollEvery))
	}
}

// backoff doubles the previous wait (starting from twice the poll interval),
// takes at least what Retry-After asked, and stops at MaxBackoff.
func backoff(prev, pollEvery, retryAfter time.Duration) time.Duration {
	next := max(2*prev, 2*pollEvery, retryAfter)
	return min(next, MaxBackoff)
}

// Poll fetches every symbol once, in batches, and returns the ticks of the
// quotes that changed since the last poll, in time order with sequence
// numbers. After a failed batch it returns the ticks of the batches before
// it with the error.
func (p *Provider) Poll(ctx context.Context) ([]market.Tick, error) {
	polled := time.Now()
	var ticks []market.Tick
	var err error
	for batch := range slices.Chunk(p.symbols, p.batch) {
		var qs []quote
		if qs, err = p.fetch(ctx, batch); err != nil {
			break
		}
		for _, q := range qs {
			code := asxCode(q.Code)
			if !slices.Contains(batch, code) {
				continue
			}
			prev, had := p.seen[code]
			tk, cur, ok := change(q, prev, had, polled)
			p.seen[code] = cur
			if ok {
				ticks = append(ticks, tk)
			}
		}
	}
	slices.SortStableFunc(ticks, func(a, b market.Tick) int { return a.Time.Compare(b.Time) })
	for i := range ticks {
		p.seq++
		ticks[i].Seq = p.seq
	}
	return ticks, err
}

// fetch requests one batch of symbols.
func (p *Provider) fetch(ctx context.Context, batch []string) ([]quote, error) {
	q := url.Values{"api_token": {p.key}, "fmt": {"json"}}
	if len(batch) > 1 {
		rest := make([]string, len(batch)-1)
		for i, s := range batch[1:] {
			rest[i] = s + suffix
		}
		q.Set("s", strings.Join(rest, ","))
	}
	target := p.base + "/real-time/" + url.PathEscape(batch[0]+suffix) + "?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, apperr.Wrap(p.redact(err), apperr.Internal, "EODHD request could not be built")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, apperr.Wrap(p.redact(err), apperr.Unavailable, "EODHD did not answer")
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, apperr.Wrap(p.redact(err), apperr.Unavailable, "EODHD response was cut short")
	}
	if resp.StatusCode != http.StatusOK {
		return nil, newStatusError(resp)
	}
	qs, err := parseQuotes(body)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, "EODHD sent a response that is not quote JSON")
	}
	return qs, nil
}

// redact removes the API key from err's text, which for a failed request
// includes the URL.
func (p *Provider) redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		cp := *ue
		cp.URL = strings.ReplaceAll(ue.URL, url.QueryEscape(p.key), redacted)
		cp.URL = strings.ReplaceAll(cp.URL, p.key, redacted)
		err = &cp
	}
	if strings.Contains(err.Error(), p.key) {
		return errors.New(strings.ReplaceAll(err.Error(), p.key, redacted))
	}
	return err
}

// statusError is a non-200 answer.
type statusError struct {
	status     int
	retryAfter time.Duration
}

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.status, http.StatusText(e.status))
}

// fatal reports whether retrying cannot help: the key was refused.
func (e *statusError) fatal() bool {
	return e.status == http.StatusUnauthorized || e.status == http.StatusForbidden
}

// throttled reports whether EODHD asked for fewer requests: the per-minute
// rate limit (429) or the daily allowance (402).
func (e *statusError) throttled() bool {
	return e.status == http.StatusTooManyRequests || e.status == http.StatusPaymentRequired
}

func newStatusError(resp *http.Response) error {
	se := &statusError{status: resp.StatusCode}
	if secs, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && secs > 0 {
		se.retryAfter = time.Duration(secs) * time.Second
	}
	switch {
	case se.fatal():
		return apperr.Wrap(se, apperr.Unauthorized, "EODHD rejected the API key")
	case se.status == http.StatusPaymentRequired:
		return apperr.Wrap(se, apperr.TooManyRequests, "EODHD daily API limit used up")
	case se.status == http.StatusTooManyRequests:
		return apperr.Wrap(se, apperr.TooManyRequests, "EODHD rate limit reached")
	}
	return apperr.Wrap(se, apperr.Unavailable, "EODHD answered with status %d", se.status)
}
