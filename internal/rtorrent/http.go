package rtorrent

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
)

// httpTransport posts XML-RPC to an /RPC2 endpoint behind a web server, the
// way ruTorrent-style setups expose rTorrent.
type httpTransport struct {
	url, user, password string
	caFile              string // for messages: what a refused certificate was checked against
	maxReply            int64
	client              *http.Client
}

func newHTTPTransport(cfg Config, maxReply int64) (*httpTransport, error) {
	tlsConf := &tls.Config{InsecureSkipVerify: cfg.InsecureSkipVerify} //nolint:gosec // the user's explicit choice
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the path, quoted, comes first
			}
			return nil, fmt.Errorf("CA file %s: %w", quote(cfg.CAFile), err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate found", quote(cfg.CAFile))
		}
		tlsConf.RootCAs = pool
	}
	tr := &http.Transport{
		Proxy:               nil, // rTorrent is reached directly, never through an environment proxy
		TLSClientConfig:     tlsConf,
		MaxIdleConnsPerHost: 1,
		ForceAttemptHTTP2:   false,
	}
	return &httpTransport{
		url: cfg.URL, user: cfg.Username, password: cfg.Password, caFile: cfg.CAFile, maxReply: maxReply,
		client: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a redirect would resend credentials elsewhere
		}},
	}, nil
}

func (t *httpTransport) roundTrip(ctx context.Context, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return nil, &opError{"http", parseCause(t.url, err)}
	}
	req.Header.Set("Content-Type", "text/xml")
	if t.user != "" || t.password != "" {
		req.SetBasicAuth(t.user, t.password)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, &opError{"http", ctxCause(ctx, err)}
		}
		if tc := tlsCause(err, t.caFile); tc != nil {
			return nil, &opError{"https", tc}
		}
		return nil, &opError{"http", cause(err)}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, &opError{"http", fmt.Errorf("%s: wrong or missing Username/Password", resp.Status)}
	case resp.StatusCode != http.StatusOK:
		return nil, &opError{"http", fmt.Errorf("%s", resp.Status)}
	}
	reply, err := readCapped(resp.Body, t.maxReply, resp.ContentLength)
	if err != nil {
		return nil, &opError{"read", ctxCause(ctx, err)}
	}
	return reply, nil
}
