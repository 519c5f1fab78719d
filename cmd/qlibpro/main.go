// Command qlibpro is Qlib Pro's one binary: the web server, the market feed,
// migrations, data loading and the quant jobs.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode prints err and maps it to the process status: 2 for usage errors
// (unknown command, bad flag or argument), 1 for everything else.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		if ue.msg != "" {
			fmt.Fprintf(stderr, "qlibpro: %s\n", ue.msg)
		}
		if ue.usage != "" {
			fmt.Fprint(stderr, ue.usage)
		}
		return 2
	}
	fmt.Fprintf(stderr, "qlibpro: %v\n", err)
	return 1
}
