package web

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rtmon/rtmon/viewer/auth"
)

// csp allows only the viewer's own scripts, styles, images and
// connections, no plugins, no framing, no <base> tricks.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// svgCSP is sent with SVG graphs: opened on their own they are documents,
// and must not run anything (cairo's SVG needs its inline styles).
const svgCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; sandbox"

// securityHeaders runs before routing, so 404s, 401s and errors carry the
// headers too.
func (a *app) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		return next(c)
	}
}

// rawPath makes echo route on the escaped path and hand out escaped
// parameters, always. By default echo uses URL.RawPath only when it is
// set, which Go does only when the escaping is not the default one: the
// same parameter would then arrive decoded for one request and encoded for
// another, and decoding it again would decode twice ("%252e" → "."). With
// this, param() decodes exactly once.
func rawPath(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := c.Request().URL
		u.RawPath = u.EscapedPath()
		return next(c)
	}
}

// onlyGET refuses every method but GET and HEAD before routing: the
// viewer changes nothing, so nothing else has a purpose.
func onlyGET(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		m := c.Request().Method
		if m != http.MethodGet && m != http.MethodHead {
			c.Response().Header().Set("Allow", "GET, HEAD")
			return echo.NewHTTPError(http.StatusMethodNotAllowed, "only GET and HEAD")
		}
		return next(c)
	}
}

// basicAuth checks credentials on every route, static files included.
// A client that failed too often, or a request finding every password
// check taken, gets 429 with Retry-After and no challenge (a browser
// would ask for the password again), without any bcrypt run.
func (a *app) basicAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if user, pass, ok := r.BasicAuth(); ok {
			v, wait := a.Users.Authenticate(r.Context(), clientAddr(r), user, pass)
			switch v {
			case auth.Allowed:
				return next(c)
			case auth.Busy:
				return tooMany(c, wait, "too many password checks at once")
			case auth.Throttled:
				return tooMany(c, wait, "too many wrong passwords from this address")
			}
		}
		c.Response().Header().Set("WWW-Authenticate", `Basic realm="rtmon", charset="UTF-8"`)
		return echo.NewHTTPError(http.StatusUnauthorized, "authentication required")
	}
}

// tooMany answers 429 with Retry-After in whole seconds (at least 1).
func tooMany(c echo.Context, wait time.Duration, why string) error {
	s := max(1, int((wait+time.Second-1)/time.Second))
	c.Response().Header().Set("Retry-After", strconv.Itoa(s))
	return echo.NewHTTPError(http.StatusTooManyRequests, fmt.Sprintf("%s: retry in %d s", why, s))
}

// clientAddr is the address the request came from: the TCP peer, so
// behind a reverse proxy every client is the proxy (see
// docs/reverse-proxy.md). The zero Addr when it cannot be parsed.
func clientAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr()
}

// recoverPanics turns a panic in a handler into a 500 and a log line,
// keeping the server (and the poller) running.
func (a *app) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				a.Log.Error("web: panic", "path", c.Request().URL.Path, "panic", fmt.Sprint(r))
				err = echo.NewHTTPError(http.StatusInternalServerError, "internal error")
			}
		}()
		return next(c)
	}
}
