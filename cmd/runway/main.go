// Command runway is Runway's one binary: the CLI citizen developers use to
// start, check and ship micro apps, and (later) the server platform teams
// run. This package is the only one that wires Runway's packages together;
// main stays tiny so that everything else is testable through run.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}, os.Environ())
	stop()
	os.Exit(code)
}
