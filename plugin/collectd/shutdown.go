package collectd

// #include "glue.h"
import "C"

import (
	"context"
	"fmt"
	"sync"
)

// Shutdowner is called once when collectd shuts down, after it joined its
// read threads.
type Shutdowner interface {
	Shutdown(ctx context.Context) error
}

// shutdowns are called in registration order by one C shutdown callback
// (collectd's shutdown callbacks carry no user data).
var shutdowns struct {
	sync.Mutex
	once  sync.Once
	err   error
	names []string
	fs    []Shutdowner
}

// RegisterShutdown has collectd call s when it shuts down.
func RegisterShutdown(name string, s Shutdowner) error {
	shutdowns.once.Do(func() {
		shutdowns.err = withCString(name, func(cname *C.char) error {
			return status(C.rtmon_register_shutdown(cname), "plugin_register_shutdown")
		})
	})
	if shutdowns.err != nil {
		return shutdowns.err
	}
	shutdowns.Lock()
	defer shutdowns.Unlock()
	shutdowns.names = append(shutdowns.names, name)
	shutdowns.fs = append(shutdowns.fs, s)
	return nil
}

// shutdownAll runs every Shutdowner; the status is -1 if one failed.
func shutdownAll() int {
	shutdowns.Lock()
	names, fs := shutdowns.names, shutdowns.fs
	shutdowns.Unlock()
	rc := 0
	for i, s := range fs {
		if err := s.Shutdown(context.Background()); err != nil {
			Error(fmt.Sprintf("%s plugin: shutdown failed: %v", names[i], err))
			rc = -1
		}
	}
	return rc
}
