package promstack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// maxBody bounds what the tests read from a store or from /metrics.
const maxBody = 16 << 20

var client = &http.Client{Timeout: 10 * time.Second}

// waitHTTP polls url until it answers 200.
func waitHTTP(t *testing.T, u string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		resp, err := client.Get(u)
		if err == nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after %v: %v", u, timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// get returns the body of a GET, failing on any status but 200.
func get(u string) ([]byte, error) {
	resp, err := client.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %.300s", u, resp.Status, b)
	}
	return b, nil
}

// api is a Prometheus-compatible query API: Prometheus's own and
// VictoriaMetrics's answer the same /api/v1/query and /api/v1/query_range.
type api struct {
	name, base string
}

// sample is one series of an instant vector.
type sample struct {
	Labels map[string]string
	Value  float64
}

// series is one series of a range query.
type series struct {
	Labels map[string]string
	Points int
}

type apiReply struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Metric map[string]string `json:"metric"`
			Value  []any             `json:"value"`
			Values [][]any           `json:"values"`
		} `json:"result"`
	} `json:"data"`
}

func (a *api) call(path string, q url.Values) (*apiReply, error) {
	b, err := get(a.base + path + "?" + q.Encode())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.name, err)
	}
	var r apiReply
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", a.name, path, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%s: %s %q: %s %s", a.name, path, q.Get("query"), r.ErrorType, r.Error)
	}
	return &r, nil
}

// query runs an instant query at time at.
func (a *api) query(expr string, at time.Time) ([]sample, error) {
	r, err := a.call("/api/v1/query", url.Values{"query": {expr}, "time": {unix(at)}})
	if err != nil {
		return nil, err
	}
	if r.Data.ResultType != "vector" {
		return nil, fmt.Errorf("%s: %q: result type %q, want vector", a.name, expr, r.Data.ResultType)
	}
	var out []sample
	for _, s := range r.Data.Result {
		if len(s.Value) != 2 {
			return nil, fmt.Errorf("%s: %q: value %v", a.name, expr, s.Value)
		}
		str, _ := s.Value[1].(string)
		v, err := strconv.ParseFloat(str, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", a.name, expr, err)
		}
		out = append(out, sample{s.Metric, v})
	}
	return out, nil
}

// queryRange runs a range query over [from, to] with step.
func (a *api) queryRange(expr string, from, to time.Time, step time.Duration) ([]series, error) {
	r, err := a.call("/api/v1/query_range", url.Values{"query": {expr}, "start": {unix(from)}, "end": {unix(to)},
		"step": {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)}})
	if err != nil {
		return nil, err
	}
	var out []series
	for _, s := range r.Data.Result {
		out = append(out, series{s.Metric, len(s.Values)})
	}
	return out, nil
}

// one runs expr and returns the value of its only series.
func (a *api) one(expr string, at time.Time) (float64, error) {
	s, err := a.query(expr, at)
	if err != nil {
		return 0, err
	}
	if len(s) != 1 {
		return 0, fmt.Errorf("%s: %q: %d series, want 1: %v", a.name, expr, len(s), s)
	}
	return s[0].Value, nil
}

func unix(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64)
}
