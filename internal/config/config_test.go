package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8080 || c.Environment != Development || c.LogFormat != "text" ||
		c.SessionIdleTimeout != 2*time.Hour || c.SessionLifetime != 12*time.Hour ||
		c.SessionCookieName != "qlibpro_session" || c.SessionSecure || c.PrimaryRegion != "syd" ||
		c.DatabaseURL != defaultDatabaseURL || c.RedisURL != defaultRedisURL {
		t.Errorf("defaults = %+v", c)
	}
}

func TestLoadProduction(t *testing.T) {
	c, err := Load(envOf(map[string]string{
		"ENVIRONMENT": "production", "ALLOWED_HOSTS": "qlibpro.com.au", "METRICS_TOKEN": "0123456789abcdef",
		"FLY_APP_NAME": "qlibpro", "TRUSTED_PROXIES": "172.16.0.0/12, fdaa::/16", "SMTP_HOST": "smtp.example.com",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SessionCookieName != "__Host-qlibpro_session" || !c.SessionSecure || c.LogFormat != "json" ||
		c.ClientIPHeader != "Fly-Client-IP" || len(c.TrustedProxies) != 2 {
		t.Errorf("production = %+v", c)
	}
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"PORT": "http"}, []string{"PORT:"}},
		{map[string]string{"PORT": "70000"}, []string{"PORT:"}},
		{map[string]string{"DATABASE_URL": "mysql://x/y"}, []string{"DATABASE_URL:"}},
		{map[string]string{"REDIS_URL": "::"}, []string{"REDIS_URL:"}},
		{map[string]string{"LOG_LEVEL": "loud"}, []string{"LOG_LEVEL:"}},
		{map[string]string{"ENVIRONMENT": "staging"}, []string{"ENVIRONMENT:"}},
		{map[string]string{"SESSION_IDLE_TIMEOUT": "soon"}, []string{"SESSION_IDLE_TIMEOUT:"}},
		{map[string]string{"SESSION_IDLE_TIMEOUT": "13h"}, []string{"SESSION_IDLE_TIMEOUT: must not exceed SESSION_LIFETIME"}},
		{map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33"}, []string{"TRUSTED_PROXIES:"}},
		{map[string]string{"METRICS_ADDR": "9091"}, []string{"METRICS_ADDR:"}},
		{map[string]string{"METRICS_TOKEN": "short"}, []string{"METRICS_TOKEN:"}},
		{map[string]string{"BODY_LIMIT": "lots"}, []string{"BODY_LIMIT:"}},
		{map[string]string{"SESSION_COOKIE_NAME": "__Host-x"}, []string{"SESSION_SECURE:"}},
		{map[string]string{"ENVIRONMENT": "production"}, []string{"ALLOWED_HOSTS:", "METRICS_TOKEN:", "SMTP_HOST:"}},
		{map[string]string{"FROM_EMAIL": "not an address"}, []string{"FROM_EMAIL:"}},
		{map[string]string{"API_TOKEN_TTL": "5s"}, []string{"API_TOKEN_TTL:"}},
		{map[string]string{"PORT": "x", "LOG_LEVEL": "y"}, []string{"PORT:", "LOG_LEVEL:"}},
	}
	for _, tt := range tests {
		_, err := Load(envOf(tt.env))
		if err == nil {
			t.Errorf("%v: no error", tt.env)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q does not contain %q", tt.env, err, w)
			}
		}
	}
}

func TestVarsDocumentEveryVariableRead(t *testing.T) {
	read := map[string]bool{}
	_, _ = Load(func(k string) string { read[k] = true; return "" })
	documented := map[string]bool{}
	for _, v := range Vars {
		documented[v.Name] = true
	}
	for k := range read {
		if !documented[k] && k != "FLY_APP_NAME" {
			t.Errorf("%s is read but not in Vars (the README table)", k)
		}
	}
	for k := range documented {
		if !read[k] {
			t.Errorf("%s is in Vars but never read", k)
		}
	}
}

func TestREADMEDocumentsEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range Vars {
		if !strings.Contains(string(b), "| `"+v.Name+"` |") {
			t.Errorf("README.md has no table row for %s", v.Name)
		}
	}
}
