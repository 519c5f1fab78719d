// Package monitoring_test checks the monitoring stack with the real tools:
// promtool (Debian prometheus), amtool (Debian prometheus-alertmanager) and a
// real Prometheus scraping the application for the alert drill. make test
// installs them (scripts/services.sh up --test); a missing tool fails.
package monitoring_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/qlibpro/qlibpro/internal/testenv/testapp"
)

// tool returns the path of a command the tests need, failing when it is
// missing.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed: scripts/services.sh up --test installs it (Debian prometheus / prometheus-alertmanager)", name)
	}
	return p
}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(tool(t, name), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestRules: the rules parse (promtool check rules) and behave as their unit
// tests say (promtool test rules alerts_test.yml).
func TestRules(t *testing.T) {
	if out := run(t, ".", nil, "promtool", "check", "rules", "alerts.yml"); !strings.Contains(out, "SUCCESS: 12 rules found") {
		t.Errorf("promtool check rules:\n%s", out)
	}
	if out := run(t, ".", nil, "promtool", "test", "rules", "alerts_test.yml"); !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool test rules:\n%s", out)
	}
}

var exampleEnv = []string{
	"FLY_APP=qlibpro", "FLY_ORG=personal",
	"ALERT_EMAIL_TO=oncall@example.com", "ALERT_EMAIL_FROM=alerts@example.com",
	"SMTP_SMARTHOST=smtp.example.com:587", "SMTP_USERNAME=alerts@example.com",
	`SMTP_PASSWORD=it's&a|p\ss"word`, "ALERT_WEBHOOK_URL=https://hooks.example.com/q?a=1&b=2",
}

// render runs render.sh as docker-compose.yml does and returns the output.
func render(t *testing.T, env []string, tmpl, out string) error {
	t.Helper()
	cmd := exec.Command("sh", "render.sh", tmpl, out)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	b, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, b)
	}
	return nil
}

// TestConfigs: the templates rendered from the environment are valid
// Prometheus and Alertmanager configurations (promtool check config, amtool
// check-config), values with quotes and sed metacharacters arrive intact, and
// a missing variable stops the render.
func TestConfigs(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "secrets"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secrets", "fly_token"), []byte("token"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "alerts.yml"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	prom, am := filepath.Join(dir, "prometheus.yml"), filepath.Join(dir, "alertmanager.yml")
	if err := render(t, exampleEnv, "prometheus.yml.tmpl", prom); err != nil {
		t.Fatal(err)
	}
	if err := render(t, exampleEnv, "alertmanager.yml.tmpl", am); err != nil {
		t.Fatal(err)
	}
	if out := run(t, dir, nil, "promtool", "check", "config", prom); !strings.Contains(out, "is valid prometheus config") {
		t.Errorf("promtool check config:\n%s", out)
	}
	run(t, dir, nil, "amtool", "check-config", am)
	got, _ := os.ReadFile(am)
	for _, want := range []string{`smtp_auth_password: 'it''s&a|p\ss"word'`, `url: 'https://hooks.example.com/q?a=1&b=2'`, `to: 'oncall@example.com'`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("rendered alertmanager.yml lacks %s", want)
		}
	}
	if p, _ := os.ReadFile(prom); !strings.Contains(string(p), `names: ["qlibpro.internal"]`) || !strings.Contains(string(p), "/prometheus/personal/federate") {
		t.Errorf("rendered prometheus.yml:\n%s", p)
	}
	// Every rule's alert reaches the receiver its severity calls for
	// (amtool config routes test walks the routing tree).
	rulesText, _ := os.ReadFile("alerts.yml")
	alerts := regexp.MustCompile(`(?m)- alert: (\w+)\n(?:.*\n)*?\s+labels: \{severity: (\w+)\}`).FindAllStringSubmatch(string(rulesText), -1)
	if len(alerts) != 12 {
		t.Fatalf("found %d alerts with a severity in alerts.yml, want 12", len(alerts))
	}
	want := map[string]string{"critical": "email-and-webhook", "warning": "email"}
	for _, a := range alerts {
		out, err := exec.Command(tool(t, "amtool"), "config", "routes", "test", "--config.file="+am, "alertname="+a[1], "severity="+a[2]).Output()
		if err != nil {
			t.Fatalf("amtool config routes test %s: %v", a[1], err)
		}
		if got := strings.TrimSpace(string(out)); got != want[a[2]] {
			t.Errorf("%s (%s) routes to %q, want %q", a[1], a[2], got, want[a[2]])
		}
	}
	var partial []string
	for _, kv := range exampleEnv {
		if !strings.HasPrefix(kv, "ALERT_WEBHOOK_URL=") {
			partial = append(partial, kv)
		}
	}
	if err := render(t, partial, "alertmanager.yml.tmpl", filepath.Join(dir, "x.yml")); err == nil || !strings.Contains(err.Error(), "ALERT_WEBHOOK_URL is not set") {
		t.Errorf("render without ALERT_WEBHOOK_URL: %v, want it refused", err)
	}
}

// exported lists every metric family the application registers: the
// collectors in telemetry.Metrics (vectors included, which have no series
// until used) and whatever the assembled app gathers.
func exported(t *testing.T, app *testapp.App) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	fams, err := app.Metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		names[f.GetName()] = true
	}
	fq := regexp.MustCompile(`fqName: "([^"]+)"`)
	v := reflect.ValueOf(app.Metrics).Elem()
	for i := range v.NumField() {
		c, ok := v.Field(i).Interface().(prometheus.Collector)
		if !ok {
			continue
		}
		ch := make(chan *prometheus.Desc, 16)
		go func() { c.Describe(ch); close(ch) }()
		for d := range ch {
			if m := fq.FindStringSubmatch(d.String()); m != nil {
				names[m[1]] = true
			}
		}
	}
	return names
}

// promqlNames are the words of PromQL that are not metric names.
var promqlNames = strings.Fields(`sum max min avg count rate increase irate histogram_quantile topk time by on and or unless
	without ignoring vector absent le bool offset group_left group_right humanize`)

// metricNames returns the metric names an expression reads.
func metricNames(expr string) []string {
	expr = regexp.MustCompile(`"[^"]*"|'[^']*'`).ReplaceAllString(expr, "")
	expr = regexp.MustCompile(`\{[^}]*\}|\[[^\]]*\]`).ReplaceAllString(expr, "")
	expr = regexp.MustCompile(`\b(by|on|without|ignoring)\s*\([^)]*\)`).ReplaceAllString(expr, "")
	var out []string
	for _, w := range regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`).FindAllString(expr, -1) {
		if !slices.Contains(promqlNames, w) {
			out = append(out, w)
		}
	}
	return out
}

// TestMetricNamesExist: every metric the rules and dashboards read is one the
// app exports (histograms by their base name), or Prometheus's up, or one of
// Fly's (fly_*).
func TestMetricNamesExist(t *testing.T) {
	app := testapp.New(t, nil)
	have := exported(t, app)
	var exprs []string
	rules, _ := os.ReadFile("alerts.yml")
	for _, m := range regexp.MustCompile(`(?m)expr: \|?\s*\n?((?:\s{10,}.*\n)+|.*)`).FindAllStringSubmatch(string(rules), -1) {
		exprs = append(exprs, m[1])
	}
	dashboards, _ := filepath.Glob("grafana/dashboards/*.json")
	for _, f := range dashboards {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Panels []struct {
				Targets []struct{ Expr string } `json:"targets"`
			} `json:"panels"`
		}
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range d.Panels {
			for _, tg := range p.Targets {
				exprs = append(exprs, tg.Expr)
			}
		}
	}
	if len(exprs) < 30 || len(dashboards) != 2 {
		t.Fatalf("read %d expressions from alerts.yml and %d dashboards", len(exprs), len(dashboards))
	}
	seen := 0
	for _, e := range exprs {
		for _, n := range metricNames(e) {
			base := regexp.MustCompile(`_(bucket|count|sum)$`).ReplaceAllString(n, "")
			seen++
			if !have[n] && !have[base] && n != "up" && !strings.HasPrefix(n, "fly_") {
				t.Errorf("%s (in %q) is not a metric the app exports", n, strings.TrimSpace(e))
			}
		}
	}
	if seen < 40 {
		t.Errorf("only %d metric references found: the expression parser is broken", seen)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startRedis runs a redis-server of the test's own on a spare port (never the
// shared one) and returns its URL and a function that stops it.
func startRedis(t *testing.T) (string, func()) {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(tool(t, "redis-server"), "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
	t.Cleanup(stop)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	waitUntil(t, 10*time.Second, "redis-server answers", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return "redis://" + addr + "/0", stop
}

func waitUntil(t *testing.T, within time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting until %s", within, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestAlertDrill: a real Prometheus with the real alerts.yml scrapes the
// running application's /metrics; Redis is stopped; AppNotReady fires (as
// Prometheus's /api/v1/alerts reports) after its 30 s, and a real
// Alertmanager with the shipped configuration posts it to the webhook.
func TestAlertDrill(t *testing.T) {
	redisURL, stopRedis := startRedis(t)
	app := testapp.New(t, map[string]string{"REDIS_URL": redisURL})
	metrics := httptest.NewServer(promhttp.HandlerFor(app.Metrics.Registry, promhttp.HandlerOpts{}))
	t.Cleanup(metrics.Close)

	dir := t.TempDir()
	rules, err := os.ReadFile("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "alerts.yml"), rules, 0o600); err != nil {
		t.Fatal(err)
	}
	amAddr, hooks := startAlertmanager(t, dir)
	conf := fmt.Sprintf(`global: {scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 900ms}
rule_files: [alerts.yml]
alerting:
  alertmanagers: [{static_configs: [{targets: [%q]}]}]
scrape_configs:
  - job_name: qlibpro
    static_configs: [{targets: [%q]}]
`, amAddr, strings.TrimPrefix(metrics.URL, "http://"))
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	promAddr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	var promLog bytes.Buffer
	prom := exec.Command(tool(t, "prometheus"), "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+promAddr)
	prom.Stdout, prom.Stderr = &promLog, &promLog
	if err := prom.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = prom.Process.Kill()
		_ = prom.Wait()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", promLog.String())
		}
	})
	api := "http://" + promAddr + "/api/v1/"
	query := func(q string) string {
		res, err := http.Get(api + "query?query=" + q)
		if err != nil {
			return ""
		}
		defer res.Body.Close()
		var body struct {
			Data struct {
				Result []struct {
					Value []any `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		if json.NewDecoder(res.Body).Decode(&body) != nil || len(body.Data.Result) != 1 {
			return ""
		}
		s, _ := body.Data.Result[0].Value[1].(string)
		return s
	}
	waitUntil(t, 30*time.Second, "Prometheus scrapes app_ready = 1", func() bool { return query("app_ready") == "1" })

	start := time.Now()
	stopRedis()
	waitUntil(t, 15*time.Second, `app_ready_check{check="redis"} = 0`, func() bool { return query(`app_ready_check{check="redis"}`) == "0" })
	alert := func() (state string, labels map[string]string) {
		res, err := http.Get(api + "alerts")
		if err != nil {
			return "", nil
		}
		defer res.Body.Close()
		var body struct {
			Data struct {
				Alerts []struct {
					Labels map[string]string `json:"labels"`
					State  string            `json:"state"`
				} `json:"alerts"`
			} `json:"data"`
		}
		if json.NewDecoder(res.Body).Decode(&body) != nil {
			return "", nil
		}
		for _, a := range body.Data.Alerts {
			if a.Labels["alertname"] == "AppNotReady" {
				return a.State, a.Labels
			}
		}
		return "", nil
	}
	waitUntil(t, 20*time.Second, "AppNotReady is pending", func() bool { s, _ := alert(); return s == "pending" })
	if took := time.Since(start); took > 25*time.Second {
		t.Errorf("pending only %s after Redis stopped", took)
	}
	var labels map[string]string
	waitUntil(t, 60*time.Second, "AppNotReady fires", func() bool {
		var s string
		s, labels = alert()
		return s == "firing"
	})
	took := time.Since(start)
	if took < 30*time.Second {
		t.Errorf("fired after %s, before the rule's for: 30s", took)
	}
	if labels["severity"] != "critical" || labels["job"] != "qlibpro" {
		t.Errorf("alert labels %v", labels)
	}
	t.Logf("AppNotReady fired %s after Redis stopped", took.Round(100*time.Millisecond))

	// Alertmanager, configured from alertmanager.yml.tmpl, sends the critical
	// alert to the webhook once its group_wait (30 s) has passed.
	select {
	case body := <-hooks:
		var msg struct {
			Receiver string `json:"receiver"`
			Status   string `json:"status"`
			Alerts   []struct {
				Labels map[string]string `json:"labels"`
			} `json:"alerts"`
		}
		if err := json.Unmarshal(body, &msg); err != nil {
			t.Fatalf("webhook body: %v\n%s", err, body)
		}
		if msg.Receiver != "email-and-webhook" || msg.Status != "firing" || len(msg.Alerts) == 0 || msg.Alerts[0].Labels["alertname"] != "AppNotReady" {
			t.Errorf("webhook got %s", body)
		}
		t.Logf("the webhook received it %s after Redis stopped", time.Since(start).Round(100*time.Millisecond))
	case <-time.After(60 * time.Second):
		t.Fatal("Alertmanager did not call the webhook within 60 s of the alert firing")
	}
}

// startAlertmanager runs a real Alertmanager with alertmanager.yml.tmpl
// rendered as docker-compose.yml renders it, its webhook pointing at a local
// server, and returns its address and the webhook bodies it posts.
func startAlertmanager(t *testing.T, dir string) (string, <-chan []byte) {
	t.Helper()
	hooks := make(chan []byte, 8)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hooks <- b
	}))
	t.Cleanup(hook.Close)
	env := []string{"FLY_APP=qlibpro", "FLY_ORG=personal", "ALERT_EMAIL_TO=oncall@example.com", "ALERT_EMAIL_FROM=alerts@example.com",
		// Nothing listens there: the e-mail fails and is retried, the webhook goes on regardless.
		"SMTP_SMARTHOST=127.0.0.1:" + strconv.Itoa(freePort(t)), "SMTP_USERNAME=alerts", "SMTP_PASSWORD=secret",
		"ALERT_WEBHOOK_URL=" + hook.URL + "/hook"}
	conf := filepath.Join(dir, "alertmanager.yml")
	if err := render(t, env, "alertmanager.yml.tmpl", conf); err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	var amLog bytes.Buffer
	am := exec.Command(tool(t, "prometheus-alertmanager"), "--config.file="+conf, "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+addr, "--cluster.listen-address=")
	am.Stdout, am.Stderr = &amLog, &amLog
	if err := am.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = am.Process.Kill()
		_ = am.Wait()
		if t.Failed() {
			t.Logf("alertmanager log:\n%s", amLog.String())
		}
	})
	waitUntil(t, 15*time.Second, "Alertmanager is ready", func() bool {
		res, err := http.Get("http://" + addr + "/-/ready")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == http.StatusOK
	})
	return addr, hooks
}
