package config

import (
	"strings"
	"testing"
)

func TestDeploymentID(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"Default", nil, "qlibpro:db0"},
		{"DatabaseNumber", map[string]string{"REDIS_URL": "redis://localhost:6379/3"}, "qlibpro:db3"},
		{"DatabaseQuery", map[string]string{"REDIS_URL": "redis://localhost:6379/3?db=4"}, "qlibpro:db4"},
		{"NoPath", map[string]string{"REDIS_URL": "rediss://user:pw@redis.example.com:6380"}, "qlibpro:db0"},
		{"Prefix", map[string]string{"REDIS_PREFIX": "staging:", "REDIS_URL": "redis://localhost:6379/4"}, "staging:db4"},
		{"Explicit", map[string]string{"DEPLOYMENT_ID": "alice", "REDIS_URL": "redis://localhost:6379/4"}, "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(envOf(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.DeploymentID != tt.want {
				t.Errorf("DeploymentID = %q, want %q", c.DeploymentID, tt.want)
			}
		})
	}
}

func TestDeploymentIDErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"Space", map[string]string{"DEPLOYMENT_ID": "my app"}, "DEPLOYMENT_ID: must be"},
		{"NonASCII", map[string]string{"DEPLOYMENT_ID": "déploiement"}, "DEPLOYMENT_ID: must be"},
		{"TooLong", map[string]string{"DEPLOYMENT_ID": strings.Repeat("a", 101)}, "DEPLOYMENT_ID: must be"},
		{"DefaultTooLong", map[string]string{"REDIS_PREFIX": strings.Repeat("p", 99)}, "DEPLOYMENT_ID: the default"},
		{"DefaultNotASCII", map[string]string{"REDIS_PREFIX": "qlibprø:"}, "DEPLOYMENT_ID: the default"},
		{"BadDatabase", map[string]string{"REDIS_URL": "redis://localhost:6379/three"}, "REDIS_URL: invalid database number"},
		{"BadPath", map[string]string{"REDIS_URL": "redis://localhost:6379/3/4"}, "REDIS_URL: invalid URL path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(envOf(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	// A REDIS_URL that is no URL at all is reported once.
	_, err := Load(envOf(map[string]string{"REDIS_URL": "::"}))
	if n := strings.Count(err.Error(), "REDIS_URL:"); n != 1 {
		t.Errorf("REDIS_URL reported %d times: %v", n, err)
	}
}
