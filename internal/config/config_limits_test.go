package config

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestAccountLimits(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		c, err := Load(envOf(nil))
		if err != nil {
			t.Fatal(err)
		}
		if c.PasswordHashConcurrency != max(1, runtime.GOMAXPROCS(0)) || c.PasswordHashWait != time.Second ||
			c.SignUpsPerIP != 10 || c.ResetsPerIP != 20 {
			t.Errorf("hash slots %d, wait %s, sign-ups %d, resets %d", c.PasswordHashConcurrency, c.PasswordHashWait, c.SignUpsPerIP, c.ResetsPerIP)
		}
	})
	t.Run("Set", func(t *testing.T) {
		c, err := Load(envOf(map[string]string{"PASSWORD_HASH_CONCURRENCY": "3", "PASSWORD_HASH_WAIT": "0s",
			"SIGNUPS_PER_IP": "5", "RESET_REQUESTS_PER_IP": "7"}))
		if err != nil {
			t.Fatal(err)
		}
		if c.PasswordHashConcurrency != 3 || c.PasswordHashWait != 0 || c.SignUpsPerIP != 5 || c.ResetsPerIP != 7 {
			t.Errorf("%+v", c)
		}
	})
	for name, v := range map[string]string{"PASSWORD_HASH_CONCURRENCY": "0", "PASSWORD_HASH_WAIT": "1m",
		"SIGNUPS_PER_IP": "many", "RESET_REQUESTS_PER_IP": "-1"} {
		t.Run("Err"+name, func(t *testing.T) {
			_, err := Load(envOf(map[string]string{name: v}))
			if err == nil || !strings.Contains(err.Error(), name+":") {
				t.Errorf("%s=%s: %v, want an error naming it", name, v, err)
			}
		})
	}
}
