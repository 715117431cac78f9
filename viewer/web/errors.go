package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// errorHandler answers JSON under /json/, /api/ and /events, plain text
// elsewhere (never HTML: a message may quote a name, and text/plain with
// nosniff cannot run it). Only messages of echo.HTTPErrors, which the
// handlers write, reach the client; other errors are logged and answered
// with a generic 500.
func (a *app) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	code, msg := http.StatusInternalServerError, "internal error (see the viewer's log)"
	var he *echo.HTTPError
	if errors.As(err, &he) {
		code = he.Code
		if s, ok := he.Message.(string); ok {
			msg = s
		} else {
			msg = http.StatusText(code)
		}
		if he.Internal != nil {
			a.Log.Warn("web: request failed", "path", c.Request().URL.Path, "code", code, "err", he.Internal)
		}
	} else {
		a.Log.Error("web: request failed", "path", c.Request().URL.Path, "err", err)
	}
	if c.Request().Method == http.MethodHead {
		c.NoContent(code)
		return
	}
	p := c.Request().URL.Path
	if strings.HasPrefix(p, "/json/") || strings.HasPrefix(p, "/api/") || p == "/events" {
		c.JSON(code, map[string]string{"error": msg})
		return
	}
	c.String(code, msg+"\n")
}

// param returns a path parameter decoded exactly once (see rawPath).
func param(c echo.Context, name string) (string, error) {
	v, err := url.PathUnescape(c.Param(name))
	if err != nil {
		return "", echo.NewHTTPError(http.StatusBadRequest, "malformed "+name)
	}
	return v, nil
}

func notFound(what string) error {
	return echo.NewHTTPError(http.StatusNotFound, "no such "+what)
}
