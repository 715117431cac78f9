package web

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
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

// checkHost defends a loopback viewer without auth against DNS
// rebinding: a web page on another site could point its own name at
// 127.0.0.1 and read the viewer with the user's browser. Such requests
// carry the attacker's name in Host; only loopback names and addresses,
// the -listen host and -allow-host names are accepted. With auth, or on a
// non-loopback address chosen with -insecure-listen, the check is off.
func (a *app) checkHost(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if a.Users != nil || !a.loopback {
			return next(c)
		}
		host := c.Request().Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.TrimSuffix(strings.ToLower(host), ".")
		if ip := net.ParseIP(strings.Trim(host, "[]")); (ip != nil && ip.IsLoopback()) || host == "localhost" || a.allowHost[host] {
			return next(c)
		}
		return echo.NewHTTPError(http.StatusMisdirectedRequest,
			"Host not allowed: this viewer answers loopback names only (add the name with -allow-host)")
	}
}

// basicAuth checks credentials on every route, static files included.
func (a *app) basicAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		user, pass, ok := c.Request().BasicAuth()
		if ok && a.Users.Check(user, pass) {
			return next(c)
		}
		c.Response().Header().Set("WWW-Authenticate", `Basic realm="rtmon", charset="UTF-8"`)
		return echo.NewHTTPError(http.StatusUnauthorized, "authentication required")
	}
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
