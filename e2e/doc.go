// Package e2e holds browser tests: the real application served on loopback and
// driven by headless Debian Chromium through chromedp, for the flows a person
// clicks through.
package e2e
