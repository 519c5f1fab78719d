// Package buildinfo carries the version stamped into the binary at link time
// (make build and the Dockerfile pass -X ldflags).
package buildinfo

import "runtime"

// Set by -ldflags "-X github.com/qlibpro/qlibpro/internal/buildinfo.Version=…".
var (
	Version   = "dev"
	Commit    = "unknown"
	BuildTime = "unknown"
)

// Info is the build description served by /api/version.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	BuildTime string `json:"build_time"`
	GoVersion string `json:"go_version"`
}

// Get returns the build description.
func Get() Info {
	return Info{Version: Version, Commit: Commit, BuildTime: BuildTime, GoVersion: runtime.Version()}
}
