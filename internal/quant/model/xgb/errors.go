package xgb

import (
	"regexp"
	"strings"
)

// sourcePrefix matches the "../src/learner.cc:767: " XGBoost puts before its
// messages.
var sourcePrefix = regexp.MustCompile(`^\S+\.(cc|h|cu|cuh|cpp):\d+: `)

// cleanError keeps the first line of an XGBoost error and drops its timestamp
// and source location, leaving the message.
func cleanError(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "[") {
		if _, rest, ok := strings.Cut(line, "] "); ok {
			line = rest
		}
	}
	line = sourcePrefix.ReplaceAllString(line, "")
	if line == "" {
		return "xgboost failed without a message"
	}
	return line
}
