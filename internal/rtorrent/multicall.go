package rtorrent

import (
	"context"
	"errors"
	"fmt"

	"github.com/kolo/xmlrpc"
)

// Method is one call inside a system.multicall batch.
type Method struct {
	Name string
	Args []any
}

// Result is one sub-call's outcome: a value, or the error for that sub-call
// alone (typically a *Fault), so one missing command costs one sensor.
type Result struct {
	Value any
	Err   error
}

type multicallEntry struct {
	MethodName string `xmlrpc:"methodName"`
	Params     []any  `xmlrpc:"params"`
}

// Multicall sends calls in one system.multicall round trip. The returned
// error is for the round trip as a whole; per-call faults are in Result.Err.
func (c *Client) Multicall(ctx context.Context, calls []Method) ([]Result, error) {
	p, err := PrepareMulticall(calls)
	if err != nil {
		return nil, c.wrap("encode", err)
	}
	return c.MulticallPrepared(ctx, p)
}

// Prepared is a system.multicall encoded once. The fast tier sends the
// same batch every interval: encoding it each time through kolo/xmlrpc's
// reflection cost about 100 KB of allocations per read (bench/readcost).
type Prepared struct {
	calls []Method
	body  []byte
}

// PrepareMulticall encodes calls for MulticallPrepared.
func PrepareMulticall(calls []Method) (*Prepared, error) {
	entries := make([]multicallEntry, len(calls))
	for i, m := range calls {
		args := m.Args
		if args == nil {
			args = []any{}
		}
		entries[i] = multicallEntry{MethodName: m.Name, Params: args}
	}
	body, err := xmlrpc.EncodeMethodCall("system.multicall", entries)
	if err != nil {
		return nil, fmt.Errorf("system.multicall: %w", err)
	}
	return &Prepared{calls: append([]Method(nil), calls...), body: body}, nil
}

// MulticallPrepared is Multicall with a batch encoded beforehand.
func (c *Client) MulticallPrepared(ctx context.Context, p *Prepared) ([]Result, error) {
	calls := p.calls
	v, err := c.send(ctx, "system.multicall", p.body)
	if err != nil {
		var f *Fault
		if errors.As(err, &f) && f.Method == "" {
			f.Method = "system.multicall"
		}
		return nil, err
	}
	list, ok := v.([]any)
	if !ok || len(list) != len(calls) {
		return nil, c.wrap("decode", fmt.Errorf("%w: want %d results, got %s", errMulticallShape, len(calls), describe(v)))
	}
	out := make([]Result, len(calls))
	faults := int64(0)
	for i, item := range list {
		switch x := item.(type) {
		case []any:
			if len(x) != 1 {
				out[i].Err = c.wrap("decode", fmt.Errorf("%w: result %d of %s has %d values", errMulticallShape, i, calls[i].Name, len(x)))
				continue
			}
			out[i].Value = x[0]
		case map[string]any:
			code, _ := x["faultCode"].(int64)
			msg, _ := x["faultString"].(string)
			out[i].Err = c.wrap("", &Fault{Code: int(code), Message: msg, Method: calls[i].Name})
			faults++
		default:
			out[i].Err = c.wrap("decode", fmt.Errorf("%w: result %d of %s is %s", errMulticallShape, i, calls[i].Name, describe(item)))
		}
	}
	if faults > 0 {
		c.mu.Lock()
		c.stats.SubFaults += faults
		c.mu.Unlock()
	}
	return out, nil
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "empty"
	case []any:
		return fmt.Sprintf("an array of %d", len(x))
	case map[string]any:
		return "a struct"
	default:
		return fmt.Sprintf("a %T", v)
	}
}
