package main

import "context"

// shutdowner exists so collectd's shutdown finds the plugin well-behaved:
// there is nothing to flush or close (every call opens its own connection
// and ends within its deadline), and collectd has joined its read threads
// before it calls shutdown callbacks.
type shutdowner struct{}

func (shutdowner) Shutdown(context.Context) error {
	defer recoverTo("shutting down")
	return nil
}
