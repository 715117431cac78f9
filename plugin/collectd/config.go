package collectd

// #include <stdlib.h>
// #include "glue.h"
import "C"

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unsafe"

	"collectd.org/config"
)

// Configurer receives a plugin's <Plugin name> blocks, merged into one.
type Configurer interface {
	Configure(ctx context.Context, block config.Block) error
}

// configs holds each registered plugin's Configurer and the blocks
// collectd handed over so far. collectd calls config and init callbacks
// from its main thread, one at a time; the lock is for the race detector
// and for safety, not contention.
var configs struct {
	sync.Mutex
	initOnce sync.Once
	initErr  error
	byName   map[string]*pluginConfig
	order    []string
}

type pluginConfig struct {
	c     Configurer
	block config.Block
}

// RegisterConfig has collectd hand every <Plugin name> block to c, merged
// into one, once the whole configuration file was read: from an init
// callback, so c sees all blocks (collectd reads files in order and may
// pass several). With no block at all c still runs, with a zero Block.
func RegisterConfig(name string, c Configurer) error {
	configs.initOnce.Do(func() {
		configs.initErr = withCString(name, func(cname *C.char) error {
			return status(C.rtmon_register_init(cname), "plugin_register_init")
		})
	})
	if configs.initErr != nil {
		return configs.initErr
	}
	if err := withCString(name, func(cname *C.char) error {
		return status(C.rtmon_register_config(cname, 0), "plugin_register_complex_config")
	}); err != nil {
		return err
	}
	configs.Lock()
	defer configs.Unlock()
	if configs.byName == nil {
		configs.byName = map[string]*pluginConfig{}
	}
	if _, dup := configs.byName[name]; !dup {
		configs.order = append(configs.order, name)
	}
	configs.byName[name] = &pluginConfig{c: c}
	return nil
}

// IgnoreConfig registers a config callback written in C that accepts the
// <Plugin name> block and does nothing, never entering Go: for a process
// about to fork, where Go must not run again. Without it collectd reports
// a configuration "for a plugin that didn't register a configuration
// callback".
func IgnoreConfig(name string) error {
	return withCString(name, func(cname *C.char) error {
		return status(C.rtmon_register_config(cname, 1), "plugin_register_complex_config (ignoring the block)")
	})
}

// collectBlock converts one <Plugin name> block and merges it into what
// that plugin received so far.
func collectBlock(ci *C.oconfig_item_t) error {
	block, err := convertItem(ci, 0)
	if err != nil {
		return fmt.Errorf("reading a <Plugin> block: %w", err)
	}
	if !strings.EqualFold(block.Key, "Plugin") || len(block.Values) != 1 || !block.Values[0].IsString() {
		return fmt.Errorf("config callback got <%s> with %d values, want <Plugin \"name\">", block.Key, len(block.Values))
	}
	name := block.Values[0].String()
	configs.Lock()
	defer configs.Unlock()
	p, ok := configs.byName[name]
	if !ok {
		return fmt.Errorf("config callback got <Plugin %q>, which registered no Configurer", name)
	}
	if err := p.block.Merge(block); err != nil {
		return fmt.Errorf("merging <Plugin %q> blocks: %w", name, err)
	}
	return nil
}

// configureAll hands each plugin its merged block, in registration order.
func configureAll() {
	configs.Lock()
	todo := make([]*pluginConfig, 0, len(configs.order))
	names := append([]string(nil), configs.order...)
	for _, n := range names {
		todo = append(todo, configs.byName[n])
	}
	configs.Unlock()
	for i, p := range todo {
		if err := p.c.Configure(context.Background(), p.block); err != nil {
			Error(fmt.Sprintf("%s plugin: configuration failed: %v", names[i], err))
		}
	}
}

// maxConfigDepth bounds the recursion over nested blocks. collectd's
// parser has no limit of its own; no real configuration nests this deep.
const maxConfigDepth = 64

// convertItem turns collectd's parsed config item (oconfig.h) into
// collectd.org/config's pure Go Block.
func convertItem(ci *C.oconfig_item_t, depth int) (config.Block, error) {
	if ci == nil {
		return config.Block{}, errors.New("NULL config item")
	}
	if depth > maxConfigDepth {
		return config.Block{}, fmt.Errorf("blocks nested deeper than %d", maxConfigDepth)
	}
	if ci.key == nil {
		return config.Block{}, errors.New("config item without a key")
	}
	b := config.Block{Key: C.GoString(ci.key)}
	if ci.values_num < 0 || ci.children_num < 0 {
		return b, fmt.Errorf("<%s>: negative value or child count", b.Key)
	}
	if ci.values_num > 0 {
		values := unsafe.Slice(ci.values, int(ci.values_num))
		for i := range values {
			cv, err := convertValue(&values[i])
			if err != nil {
				return b, fmt.Errorf("%s, value %d: %w", b.Key, i+1, err)
			}
			b.Values = append(b.Values, cv)
		}
	}
	if ci.children_num > 0 {
		children := unsafe.Slice(ci.children, int(ci.children_num))
		for i := range children {
			child, err := convertItem(&children[i], depth+1)
			if err != nil {
				return b, fmt.Errorf("in <%s>: %w", b.Key, err)
			}
			b.Children = append(b.Children, child)
		}
	}
	return b, nil
}

func convertValue(v *C.oconfig_value_t) (config.Value, error) {
	switch t := C.rtmon_value_type(v); t {
	case C.OCONFIG_TYPE_STRING:
		s := C.rtmon_value_string(v)
		if s == nil {
			return config.Value{}, errors.New("NULL string")
		}
		return config.String(C.GoString(s)), nil
	case C.OCONFIG_TYPE_NUMBER:
		return config.Float64(float64(C.rtmon_value_number(v))), nil
	case C.OCONFIG_TYPE_BOOLEAN:
		return config.Bool(C.rtmon_value_boolean(v) != 0), nil
	default:
		return config.Value{}, fmt.Errorf("unknown value type %d", int(t))
	}
}

func withCString(s string, f func(*C.char) error) error {
	cs := C.CString(s)
	defer C.free(unsafe.Pointer(cs))
	return f(cs)
}

// status turns a collectd return code into an error naming the call.
func status(rc C.int, call string) error {
	if rc != 0 {
		return fmt.Errorf("%s failed with status %d (or is missing: not inside collectd)", call, int(rc))
	}
	return nil
}
