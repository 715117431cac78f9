package testenv

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Tamper decides what a TamperProxy sends back for one call: it gets the
// method, its arguments and what the real rTorrent answered (a value, or
// a fault), and returns what to send instead. Sub-calls of a
// system.multicall are passed one by one after the multicall itself (a
// fault returned for that one is sent as the whole reply), so a test can
// break one sensor and leave the rest real. Return the inputs unchanged to pass a call through.
type Tamper func(method string, args []any, v any, fault *Fault) (any, *Fault)

// RawXML is a value sent as it is, inside <value>…</value>: for types and
// shapes the encoder would never write.
type RawXML string

// TamperProxy is an SCGI proxy in front of a real rTorrent that lets a
// test change replies: wrong types, missing fields, faults, huge replies.
// A real rTorrent cannot be made to send these; everything the test does
// not change is rTorrent's own answer.
type TamperProxy struct {
	URL    string // scgi:///<dir>/proxy.socket, for the client under test
	Socket string

	rt  *RTorrent
	mu  sync.Mutex
	fn  Tamper
	ln  net.Listener
	wg  sync.WaitGroup
	log []string
}

// StartTamperProxy starts a proxy to rt; t.Cleanup stops it. It passes
// everything through until Set is called.
func StartTamperProxy(t TB, rt *RTorrent) *TamperProxy {
	t.Helper()
	dir := shortTempDir(t, "tamper")
	p := &TamperProxy{rt: rt, Socket: filepath.Join(dir, "proxy.socket")}
	p.URL = "scgi://" + p.Socket
	ln, err := net.Listen("unix", p.Socket)
	if err != nil {
		t.Fatalf("testenv: tamper proxy: %v", err)
	}
	p.ln = ln
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.wg.Wait(); os.RemoveAll(dir) })
	return p
}

// Set replaces the tamper function; nil passes everything through.
func (p *TamperProxy) Set(fn Tamper) {
	p.mu.Lock()
	p.fn = fn
	p.mu.Unlock()
}

// Methods returns the methods called so far (sub-calls of system.multicall
// as "system.multicall/<method>"), for tests that check what was asked.
func (p *TamperProxy) Methods() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.log...)
}

func (p *TamperProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Minute))
			if err := p.handle(c); err != nil {
				fmt.Fprintf(c, "Status: 500 Proxy\r\n\r\n%v", err)
			}
		}()
	}
}

func (p *TamperProxy) handle(c net.Conn) error {
	body, err := readSCGIBody(bufio.NewReader(c))
	if err != nil {
		return err
	}
	method, args, err := decodeCall(body)
	if err != nil {
		return err
	}
	network, addr := "unix", p.rt.Socket
	if addr == "" {
		network, addr = "tcp", p.rt.Addr
	}
	raw, err := scgiRoundTrip(network, addr, 5*time.Minute, body)
	if err != nil {
		return err
	}
	v, err := decodeResponse(raw)
	var fault *Fault
	if f, ok := err.(*Fault); ok {
		fault, err = f, nil
	}
	if err != nil {
		return err
	}
	p.mu.Lock()
	fn := p.fn
	p.mu.Unlock()
	p.note(method)
	if fn != nil {
		v, fault = fn(method, args, v, fault)
	}
	if method == "system.multicall" && fault == nil {
		v, fault = p.multicall(fn, args, v, fault)
	}
	var out bytes.Buffer
	if err := encodeResponse(&out, v, fault); err != nil {
		return err
	}
	_, err = fmt.Fprintf(c, "Status: 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s", out.Len(), out.Bytes())
	return err
}

func (p *TamperProxy) note(method string) {
	p.mu.Lock()
	if len(p.log) < 100000 {
		p.log = append(p.log, method)
	}
	p.mu.Unlock()
}

// multicall applies fn to each sub-call of a system.multicall reply.
func (p *TamperProxy) multicall(fn Tamper, args []any, v any, fault *Fault) (any, *Fault) {
	if fault != nil || len(args) != 1 {
		return v, fault
	}
	calls, _ := args[0].([]any)
	results, ok := v.([]any)
	if !ok || len(results) != len(calls) {
		return v, fault
	}
	out := make([]any, len(results))
	for i, c := range calls {
		m, _ := c.(map[string]any)
		name, _ := m["methodName"].(string)
		params, _ := m["params"].([]any)
		p.note("system.multicall/" + name)
		var sv any
		var sf *Fault
		switch r := results[i].(type) {
		case []any:
			if len(r) == 1 {
				sv = r[0]
			}
		case map[string]any:
			code, _ := r["faultCode"].(int64)
			msg, _ := r["faultString"].(string)
			sf = &Fault{Code: int(code), String: msg}
		}
		if fn != nil {
			sv, sf = fn(name, params, sv, sf)
		}
		if sf != nil {
			out[i] = map[string]any{"faultCode": int64(sf.Code), "faultString": sf.String}
		} else {
			out[i] = []any{sv}
		}
	}
	return out, nil
}

// readSCGIBody reads an SCGI request (netstring of headers, then
// CONTENT_LENGTH bytes of body).
func readSCGIBody(br *bufio.Reader) ([]byte, error) {
	lenStr, err := br.ReadString(':')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSuffix(lenStr, ":"))
	if err != nil || n < 0 || n > 1<<20 {
		return nil, fmt.Errorf("bad SCGI netstring length %q", lenStr)
	}
	hdr := make([]byte, n+1)
	if _, err := io.ReadFull(br, hdr); err != nil {
		return nil, err
	}
	fields := strings.Split(string(hdr[:n]), "\x00")
	size := -1
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i] == "CONTENT_LENGTH" {
			size, _ = strconv.Atoi(fields[i+1])
		}
	}
	if size < 0 || size > 64<<20 {
		return nil, fmt.Errorf("bad CONTENT_LENGTH")
	}
	body := make([]byte, size)
	_, err = io.ReadFull(br, body)
	return body, err
}

// decodeCall parses a methodCall: its method name and params.
func decodeCall(body []byte) (string, []any, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	if err := expectStart(d, "methodCall"); err != nil {
		return "", nil, err
	}
	se, err := nextStart(d)
	if err != nil || se.Name.Local != "methodName" {
		return "", nil, fmt.Errorf("xmlrpc: want <methodName>")
	}
	var method string
	if err := d.DecodeElement(&method, &se); err != nil {
		return "", nil, err
	}
	var args []any
	if err := expectStart(d, "params"); err != nil {
		return method, nil, nil // no params
	}
	for {
		se, err := nextStart(d)
		if err != nil { // </params>
			return method, args, nil
		}
		if se.Name.Local != "param" {
			return "", nil, fmt.Errorf("xmlrpc: <%s> in params", se.Name.Local)
		}
		if err := expectStart(d, "value"); err != nil {
			return "", nil, err
		}
		v, err := decodeValue(d)
		if err != nil {
			return "", nil, err
		}
		args = append(args, v)
		if err := skipToEnd(d); err != nil { // </param>
			return "", nil, err
		}
	}
}

// encodeResponse renders a methodResponse holding v, or the fault.
func encodeResponse(b *bytes.Buffer, v any, fault *Fault) error {
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<methodResponse>\n")
	if fault != nil {
		b.WriteString("<fault>\n")
		if err := encodeValue(b, reflect.ValueOf(map[string]any{"faultCode": int64(fault.Code), "faultString": fault.String})); err != nil {
			return err
		}
		b.WriteString("\n</fault>\n</methodResponse>\n")
		return nil
	}
	b.WriteString("<params>\n<param>")
	if err := encodeTampered(b, v); err != nil {
		return err
	}
	b.WriteString("</param>\n</params>\n</methodResponse>\n")
	return nil
}

// encodeTampered is encodeValue that also writes RawXML as it is, at any
// depth.
func encodeTampered(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case RawXML:
		b.WriteString("<value>" + string(x) + "</value>")
		return nil
	case int64: // as rTorrent writes every integer
		b.WriteString("<value><i8>" + strconv.FormatInt(x, 10) + "</i8></value>")
		return nil
	case []any:
		b.WriteString("<value><array><data>")
		for _, e := range x {
			if err := encodeTampered(b, e); err != nil {
				return err
			}
		}
		b.WriteString("</data></array></value>")
		return nil
	case map[string]any:
		b.WriteString("<value><struct>")
		for k, e := range x {
			b.WriteString("<member><name>")
			xml.EscapeText(b, []byte(k))
			b.WriteString("</name>")
			if err := encodeTampered(b, e); err != nil {
				return err
			}
			b.WriteString("</member>")
		}
		b.WriteString("</struct></value>")
		return nil
	}
	return encodeValue(b, reflect.ValueOf(v))
}
