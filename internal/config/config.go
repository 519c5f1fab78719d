// Package config parses Qlib Pro's configuration from the environment once, at
// start-up, into one typed struct. Every problem names the variable at fault.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Environments.
const (
	Development = "development"
	Production  = "production"
	Test        = "test"
)

// Config is the whole configuration of a Qlib Pro process.
type Config struct {
	Environment string // development | production | test
	Port        int
	BaseURL     string // public origin, used in e-mailed links

	DatabaseURL      string
	DatabaseMaxConns int32
	RedisURL         string
	RedisPrefix      string // prepended to every Redis key and channel
	// DeploymentID tells this deployment's quote channel and tick batches
	// from another's on the same Redis (pub/sub ignores the database number).
	DeploymentID string

	LogLevel  string // debug | info | warn | error
	LogFormat string // text | json

	AllowedHosts   []string // Host header values accepted (without port); empty = any
	TrustedProxies []netip.Prefix
	ClientIPHeader string // header set by the trusted proxy: Fly-Client-IP or X-Forwarded-For

	SessionCookieName  string
	SessionSecure      bool
	SessionIdleTimeout time.Duration
	SessionLifetime    time.Duration

	MetricsAddr  string // separate listen address for /metrics
	MetricsToken string // bearer token for /metrics on the main address
	SentryDSN    string // report internal errors to Sentry (none: off)

	FlyRegion     string
	PrimaryRegion string

	SMTPHost     string // empty: e-mails are written to the log (development)
	SMTPPort     int
	SMTPUsername string
	SMTPPassword string
	FromEmail    string

	APITokenTTL time.Duration // lifetime of tokens from POST /api/v1/auth/login

	// Password hashing (argon2id, 19 MiB each): how many hashes run at once
	// on this machine and how long a request waits for a slot before 503.
	PasswordHashConcurrency int
	PasswordHashWait        time.Duration

	// Requests per client address per hour: sign-ups and password resets.
	SignUpsPerIP int
	ResetsPerIP  int

	JobsEnabled    bool // serve also works background jobs (training, scoring)
	FeedEnabled    bool // serve also competes to run the market feed
	FeedProvider   string
	FeedSpeed      float64
	FeedSeed       uint64
	FeedSymbols    []string
	FeedReplayFile string
	FeedBatchEvery time.Duration
	EODHDKey       string
	EODHDPoll      time.Duration

	APIRateLimit int // requests per minute per API token
	APIRateBurst int // requests one token may make at once

	// Live streams (SSE): the most one user or API token holds open across
	// all machines, the most one machine serves, how long one may last
	// before the client reconnects, and how often each is re-checked.
	StreamsPerOwner   int
	StreamsPerMachine int
	StreamLifetime    time.Duration
	StreamHeartbeat   time.Duration

	// Factor lab: the most an expression may be estimated to cost (about a
	// nanosecond of CPU per unit), and how long one evaluation may run.
	FactorLabBudget  int64
	FactorLabTimeout time.Duration

	BodyLimit       string        // Echo body-limit syntax, e.g. "2M"
	ShutdownTimeout time.Duration // drain deadline on SIGINT/SIGTERM
	DataDir         string        // real ASX data for seed
}

// Var documents one environment variable; Vars is the table the README mirrors.
type Var struct {
	Name, Default, Help string
}

// Vars lists every variable Load reads, with its default.
var Vars = []Var{
	{"ENVIRONMENT", "development", "development, production or test; production turns on secure cookies, JSON logs and strict checks"},
	{"PORT", "8080", "HTTP listen port"},
	{"BASE_URL", "http://localhost:$PORT", "public origin used in links sent by e-mail"},
	{"DATABASE_URL", defaultDatabaseURL, "PostgreSQL connection string"},
	{"DATABASE_MAX_CONNS", "20", "pgx pool size"},
	{"REDIS_URL", defaultRedisURL, "Redis for sessions, rate limits and the quote channel"},
	{"REDIS_PREFIX", "qlibpro:", "prefix for every Redis key and channel"},
	{"DEPLOYMENT_ID", "REDIS_PREFIX + db + REDIS_URL's database number (qlibpro:db0)", "identity of this deployment on its Redis: the quote channel is REDIS_PREFIX + quotes: + DEPLOYMENT_ID and every tick batch carries it; two deployments sharing a Redis must differ (by default they do when their database number or prefix differs); up to 100 visible ASCII characters"},
	{"LOG_LEVEL", "info", "debug, info, warn or error"},
	{"LOG_FORMAT", "text (json in production)", "text or json"},
	{"ALLOWED_HOSTS", "localhost,127.0.0.1,::1 (required in production)", "comma-separated Host names the server answers; others get 400"},
	{"TRUSTED_PROXIES", "(none)", "comma-separated CIDRs whose client-IP header is believed"},
	{"CLIENT_IP_HEADER", "X-Forwarded-For (Fly-Client-IP on Fly)", "header a trusted proxy sets to the client's address"},
	{"SESSION_COOKIE_NAME", "qlibpro_session (__Host-qlibpro_session in production)", "session cookie name"},
	{"SESSION_SECURE", "true in production, else false", "Secure flag on the session cookie"},
	{"SESSION_IDLE_TIMEOUT", "2h", "sign out after this long without a request"},
	{"SESSION_LIFETIME", "12h", "absolute session lifetime"},
	{"METRICS_ADDR", "(none)", "serve /metrics on this separate address, e.g. :9091"},
	{"METRICS_TOKEN", "(none)", "serve /metrics on the main port behind Authorization: Bearer <token>; one of METRICS_ADDR or METRICS_TOKEN is required in production"},
	{"SENTRY_DSN", "(none: errors are only logged)", "report internal errors (5xx, panics) to Sentry with release = version, personal data scrubbed"},
	{"FLY_REGION", "local", "region this machine runs in (set by Fly.io)"},
	{"PRIMARY_REGION", "syd", "region that takes writes; others replay writes there"},
	{"SMTP_HOST", "(none: mail is written to the log, labelled)", "SMTP server for password-reset and alert e-mails; required in production"},
	{"SMTP_PORT", "587", "SMTP port (STARTTLS is used when the server offers it)"},
	{"SMTP_USERNAME", "(none)", "SMTP user name (credentials are sent only over TLS or to localhost)"},
	{"SMTP_PASSWORD", "(none)", "SMTP password"},
	{"FROM_EMAIL", "Qlib Pro <noreply@localhost>", "From address of outgoing mail"},
	{"API_TOKEN_TTL", "12h", "lifetime of tokens issued by POST /api/v1/auth/login"},
	{"PASSWORD_HASH_CONCURRENCY", "GOMAXPROCS (2 on the Fly machine)", "password hashes (argon2id, 19 MiB each) one machine runs at once; a hash is one core's work, so more only costs memory"},
	{"PASSWORD_HASH_WAIT", "1s", "how long a sign-in, sign-up or password change waits for a hashing slot before it gets 503 with Retry-After"},
	{"SIGNUPS_PER_IP", "10", "sign-up requests one client address may make per hour; more get 429 with Retry-After"},
	{"RESET_REQUESTS_PER_IP", "20", "password-reset requests one client address may make per hour; more get 429 with Retry-After (each email address also gets at most 3 links an hour)"},
	{"JOBS_ENABLED", "true", "serve also works the background jobs (training, daily feature refresh and scoring after the close); false only inserts them"},
	{"FEED_ENABLED", "true", "serve also runs the market feed (one leader across all machines); false leaves it to `qlibpro feed`"},
	{"FEED_PROVIDER", "simulator", "simulator (demo clock: prices move at any hour), replay (FEED_REPLAY_FILE) or eodhd (real delayed ASX quotes)"},
	{"FEED_SPEED", "1", "simulated clock multiplier for simulator and replay"},
	{"FEED_SEED", "1", "simulator random seed (same seed, same prices; also the simulated days seed --simulate-to fills)"},
	{"FEED_SYMBOLS", "(all active equities)", "comma-separated codes the feed covers"},
	{"FEED_REPLAY_FILE", "(none)", "tick CSV (time,code,price,size,bid,ask) for FEED_PROVIDER=replay"},
	{"FEED_BATCH_INTERVAL", "200ms", "how often the feed writes and publishes a batch of ticks"},
	{"EODHD_API_KEY", "(none)", "API key for FEED_PROVIDER=eodhd (eodhd.com, ASX quotes as CODE.AU)"},
	{"EODHD_POLL", "60s", "how often the EODHD provider polls"},
	{"API_RATE_LIMIT", "600", "JSON API requests per minute per token, shared by every machine; more get 429 with Retry-After"},
	{"API_RATE_BURST", "60", "JSON API requests one token may make at once before the per-minute rate applies"},
	{"STREAMS_PER_OWNER", "8", "live streams one user (pages) or one API token may hold open at once, across all machines; more get 429"},
	{"STREAMS_PER_MACHINE", "4500", "live streams one machine serves at once (below fly.toml's hard_limit of 5000 connections); more get 429"},
	{"STREAM_LIFETIME", "1h", "a live stream is closed after this long; the browser or program reconnects"},
	{"STREAM_HEARTBEAT", "15s", "how often a live stream sends a heartbeat and re-checks the session or token that opened it"},
	{"FACTOR_LAB_BUDGET", "4e9", "largest estimated cost of one factor-lab evaluation, in units of about a nanosecond of CPU (rolling operators × window × instruments × days); a costlier expression gets 422 naming its cost"},
	{"FACTOR_LAB_TIMEOUT", "10s", "a factor-lab evaluation still running after this long is stopped (422); each user runs one at a time, a second request meanwhile gets 429"},
	{"BODY_LIMIT", "2M", "largest request body accepted"},
	{"SHUTDOWN_TIMEOUT", "15s", "how long in-flight requests get to finish on SIGTERM"},
	{"DATA_DIR", "data/asx", "directory of the real ASX data loaded by seed"},
}

const (
	defaultDatabaseURL = "postgres://qlibpro:qlibpro@localhost:5432/qlibpro?sslmode=disable" // #nosec G101 -- the local development default; production sets DATABASE_URL as a secret
	defaultRedisURL    = "redis://localhost:6379/0"
)

// either is yes when cond holds, else no: the default of a variable that
// depends on the environment.
func either(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// Load reads the configuration through getenv (os.Getenv in main) and validates it.
// The error joins one message per bad variable.
func Load(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	c := Config{}
	c.Environment = p.oneOf("ENVIRONMENT", Development, Development, Production, Test)
	prod := c.Environment == Production
	c.Port = p.intRange("PORT", 8080, 1, 65535)
	c.BaseURL = p.url("BASE_URL", fmt.Sprintf("http://localhost:%d", c.Port), "http", "https")
	c.DatabaseURL = p.url("DATABASE_URL", defaultDatabaseURL, "postgres", "postgresql")
	c.DatabaseMaxConns = int32(p.intRange("DATABASE_MAX_CONNS", 20, 2, 1000))
	c.RedisURL = p.url("REDIS_URL", defaultRedisURL, "redis", "rediss")
	c.RedisPrefix = p.str("REDIS_PREFIX", "qlibpro:")
	c.DeploymentID = p.deployment("DEPLOYMENT_ID", c.RedisURL, c.RedisPrefix)
	c.LogLevel = p.oneOf("LOG_LEVEL", "info", "debug", "info", "warn", "error")
	c.LogFormat = p.oneOf("LOG_FORMAT", either(prod, "json", "text"), "text", "json")
	c.AllowedHosts = p.list("ALLOWED_HOSTS", "localhost,127.0.0.1,::1")
	if prod && getenv("ALLOWED_HOSTS") == "" {
		p.fail("ALLOWED_HOSTS", "must list the public host names in production")
	}
	c.TrustedProxies = p.prefixes("TRUSTED_PROXIES")
	c.ClientIPHeader = p.str("CLIENT_IP_HEADER", either(getenv("FLY_APP_NAME") != "", "Fly-Client-IP", "X-Forwarded-For"))
	c.SessionCookieName = p.str("SESSION_COOKIE_NAME", either(prod, "__Host-qlibpro_session", "qlibpro_session"))
	c.SessionSecure = p.boolean("SESSION_SECURE", prod)
	if strings.HasPrefix(c.SessionCookieName, "__Host-") && !c.SessionSecure {
		p.fail("SESSION_SECURE", "must be true when SESSION_COOKIE_NAME starts with __Host-")
	}
	if prod && !c.SessionSecure {
		p.fail("SESSION_SECURE", "must be true in production")
	}
	c.SessionIdleTimeout = p.duration("SESSION_IDLE_TIMEOUT", 2*time.Hour, time.Minute)
	c.SessionLifetime = p.duration("SESSION_LIFETIME", 12*time.Hour, time.Minute)
	if c.SessionIdleTimeout > c.SessionLifetime {
		p.fail("SESSION_IDLE_TIMEOUT", "must not exceed SESSION_LIFETIME")
	}
	c.MetricsAddr = p.addr("METRICS_ADDR")
	c.MetricsToken = p.str("METRICS_TOKEN", "")
	c.SentryDSN = p.str("SENTRY_DSN", "")
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		p.fail("METRICS_TOKEN", "must be at least 16 characters")
	}
	if prod && c.MetricsAddr == "" && c.MetricsToken == "" {
		p.fail("METRICS_TOKEN", "set METRICS_TOKEN or METRICS_ADDR in production so /metrics is not public")
	}
	c.FlyRegion = p.str("FLY_REGION", "local")
	c.PrimaryRegion = p.str("PRIMARY_REGION", "syd")
	c.SMTPHost = p.str("SMTP_HOST", "")
	c.SMTPPort = p.intRange("SMTP_PORT", 587, 1, 65535)
	c.SMTPUsername = p.str("SMTP_USERNAME", "")
	c.SMTPPassword = p.getenv("SMTP_PASSWORD")
	c.FromEmail = p.str("FROM_EMAIL", "Qlib Pro <noreply@localhost>")
	if _, err := mail.ParseAddress(c.FromEmail); err != nil {
		p.fail("FROM_EMAIL", "must be an address such as \"Qlib Pro <noreply@qlibpro.com.au>\"")
	}
	if prod && c.SMTPHost == "" {
		p.fail("SMTP_HOST", "must be set in production (password resets are e-mailed)")
	}
	c.APITokenTTL = p.duration("API_TOKEN_TTL", 12*time.Hour, time.Minute)
	c.PasswordHashConcurrency = p.intRange("PASSWORD_HASH_CONCURRENCY", max(1, runtime.GOMAXPROCS(0)), 1, 1024)
	c.PasswordHashWait = p.duration("PASSWORD_HASH_WAIT", time.Second, 0)
	if c.PasswordHashWait > 30*time.Second {
		p.fail("PASSWORD_HASH_WAIT", "must be at most 30s (requests hold their connection while they wait)")
	}
	c.SignUpsPerIP = p.intRange("SIGNUPS_PER_IP", 10, 1, 1_000_000)
	c.ResetsPerIP = p.intRange("RESET_REQUESTS_PER_IP", 20, 1, 1_000_000)
	c.JobsEnabled = p.boolean("JOBS_ENABLED", true)
	c.FeedEnabled = p.boolean("FEED_ENABLED", true)
	c.FeedProvider = p.oneOf("FEED_PROVIDER", "simulator", "simulator", "replay", "eodhd")
	c.FeedSpeed = p.float("FEED_SPEED", 1, 0.1, 3600)
	c.FeedSeed = uint64(p.intRange("FEED_SEED", 1, 0, 1<<31))
	for _, s := range p.list("FEED_SYMBOLS", "") {
		c.FeedSymbols = append(c.FeedSymbols, strings.ToUpper(s))
	}
	c.FeedReplayFile = p.str("FEED_REPLAY_FILE", "")
	if c.FeedProvider == "replay" && c.FeedReplayFile == "" {
		p.fail("FEED_REPLAY_FILE", "must name a tick CSV when FEED_PROVIDER=replay")
	}
	c.FeedBatchEvery = p.duration("FEED_BATCH_INTERVAL", 200*time.Millisecond, 50*time.Millisecond)
	c.EODHDKey = p.getenv("EODHD_API_KEY")
	if c.FeedProvider == "eodhd" && c.EODHDKey == "" {
		p.fail("EODHD_API_KEY", "must be set when FEED_PROVIDER=eodhd")
	}
	c.EODHDPoll = p.duration("EODHD_POLL", time.Minute, 5*time.Second)
	c.APIRateLimit = p.intRange("API_RATE_LIMIT", 600, 1, 1_000_000)
	c.APIRateBurst = p.intRange("API_RATE_BURST", 60, 1, 1_000_000)
	c.StreamsPerOwner = p.intRange("STREAMS_PER_OWNER", 8, 1, 1_000_000)
	c.StreamsPerMachine = p.intRange("STREAMS_PER_MACHINE", 4500, 1, 1_000_000)
	c.StreamLifetime = p.duration("STREAM_LIFETIME", time.Hour, time.Second)
	c.StreamHeartbeat = p.duration("STREAM_HEARTBEAT", 15*time.Second, 100*time.Millisecond)
	if c.StreamHeartbeat > time.Minute {
		p.fail("STREAM_HEARTBEAT", "must be at most 1m (proxies close idle connections)")
	}
	c.FactorLabBudget = int64(p.float("FACTOR_LAB_BUDGET", 4e9, 1e6, 1e15))
	c.FactorLabTimeout = p.duration("FACTOR_LAB_TIMEOUT", 10*time.Second, 100*time.Millisecond)
	if c.FactorLabTimeout > 25*time.Second {
		p.fail("FACTOR_LAB_TIMEOUT", "must be at most 25s (pages have 30s to write their answer)")
	}
	c.BodyLimit = p.size("BODY_LIMIT", "2M")
	c.ShutdownTimeout = p.duration("SHUTDOWN_TIMEOUT", 15*time.Second, time.Second)
	c.DataDir = p.str("DATA_DIR", "data/asx")
	return c, errors.Join(p.errs...)
}

// IsProduction reports whether the process runs in production.
func (c Config) IsProduction() bool { return c.Environment == Production }

// IsPrimaryRegion reports whether this machine runs in the region that takes writes.
func (c Config) IsPrimaryRegion() bool {
	return c.FlyRegion == "local" || c.FlyRegion == "" || c.FlyRegion == c.PrimaryRegion
}

type parser struct {
	getenv func(string) string
	errs   []error
}

func (p *parser) fail(name, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
}

// failed reports whether name has an error already.
func (p *parser) failed(name string) bool {
	for _, err := range p.errs {
		if strings.HasPrefix(err.Error(), name+":") {
			return true
		}
	}
	return false
}

func (p *parser) str(name, def string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" {
		return v
	}
	return def
}

func (p *parser) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(p.str(name, def))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.fail(name, "must be one of %s, got %q", strings.Join(allowed, ", "), v)
	return def
}

func (p *parser) intRange(name string, def, lo, hi int) int {
	raw := p.getenv(name)
	if raw == "" {
		return def
	}
	v, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || v < lo || v > hi {
		p.fail(name, "must be an integer from %d to %d, got %q", lo, hi, raw)
		return def
	}
	return v
}

func (p *parser) float(name string, def, lo, hi float64) float64 {
	raw := p.getenv(name)
	if raw == "" {
		return def
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil || v < lo || v > hi {
		p.fail(name, "must be a number from %g to %g, got %q", lo, hi, raw)
		return def
	}
	return v
}

func (p *parser) boolean(name string, def bool) bool {
	raw := p.getenv(name)
	if raw == "" {
		return def
	}
	v, err := strconv.ParseBool(strings.TrimSpace(raw))
	if err != nil {
		p.fail(name, "must be true or false, got %q", raw)
		return def
	}
	return v
}

func (p *parser) duration(name string, def, lo time.Duration) time.Duration {
	raw := p.getenv(name)
	if raw == "" {
		return def
	}
	v, err := time.ParseDuration(strings.TrimSpace(raw))
	if err != nil || v < lo {
		p.fail(name, "must be a duration of at least %s such as 90m or 2h, got %q", lo, raw)
		return def
	}
	return v
}

func (p *parser) url(name, def string, schemes ...string) string {
	v := p.str(name, def)
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		p.fail(name, "must be a URL such as %s://host:port/…", schemes[0])
		return v
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return v
		}
	}
	p.fail(name, "scheme must be %s, got %q", strings.Join(schemes, " or "), u.Scheme)
	return v
}

// deployment reads a deployment identity, by default the Redis prefix and
// the database number REDIS_URL selects (read as the Redis client reads it):
// keys are apart in different databases, channels are not.
func (p *parser) deployment(name, redisURL, prefix string) string {
	dbNumber := 0
	if opt, err := redis.ParseURL(redisURL); err == nil {
		dbNumber = opt.DB
	} else if !p.failed("REDIS_URL") {
		p.fail("REDIS_URL", "%s", strings.TrimPrefix(err.Error(), "redis: "))
	}
	if v := p.str(name, ""); v != "" {
		if !validDeployment(v) {
			p.fail(name, "must be 1 to %d visible ASCII characters without spaces, got %q", maxDeploymentLen, v)
		}
		return v
	}
	def := prefix + "db" + strconv.Itoa(dbNumber)
	if !validDeployment(def) {
		p.fail(name, "the default %q (REDIS_PREFIX + db + database number) is not 1 to %d visible ASCII characters without spaces: set %s", def, maxDeploymentLen, name)
	}
	return def
}

// maxDeploymentLen and validDeployment are the rule tick batches enforce
// (hub.ValidDeployment), checked here so that a bad value stops start-up.
const maxDeploymentLen = 100

func validDeployment(id string) bool {
	if len(id) == 0 || len(id) > maxDeploymentLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '!' || id[i] > '~' {
			return false
		}
	}
	return true
}

func (p *parser) list(name, def string) []string {
	var out []string
	for _, s := range strings.Split(p.str(name, def), ",") {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
			out = append(out, strings.Trim(s, "[]"))
		}
	}
	return out
}

func (p *parser) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range p.list(name, "") {
		if !strings.Contains(s, "/") {
			if a, err := netip.ParseAddr(s); err == nil {
				out = append(out, netip.PrefixFrom(a, a.BitLen()))
				continue
			}
		}
		pr, err := netip.ParsePrefix(s)
		if err != nil {
			p.fail(name, "%q is not an IP address or CIDR", s)
			continue
		}
		out = append(out, pr.Masked())
	}
	return out
}

func (p *parser) addr(name string) string {
	v := p.str(name, "")
	if v == "" {
		return ""
	}
	if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
		p.fail(name, "must be host:port or :port, got %q", v)
	}
	return v
}

func (p *parser) size(name, def string) string {
	v := strings.ToUpper(p.str(name, def))
	n := strings.TrimRight(v, "KMG")
	if _, err := strconv.Atoi(n); err != nil || n == "" || len(v)-len(n) > 1 {
		p.fail(name, "must be a size such as 512K or 2M, got %q", v)
		return def
	}
	return v
}
