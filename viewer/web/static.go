package web

import (
	"io"
	"io/fs"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// static serves the embedded assets: files only, named exactly. The name
// is decoded once (see rawPath) and must be a clean relative path
// (fs.ValidPath: no "." or ".." segments, no empty segments, no leading
// '/'), valid UTF-8, without backslashes. Anything else, and every
// directory, is a 404: no listings, and no redirects to a cleaned path
// (http.FileServer would list "/static/%2e%2e%2f" and redirect
// "/static/..").
func (a *app) static() echo.HandlerFunc {
	return func(c echo.Context) error {
		name, err := param(c, "*")
		if err != nil {
			return err
		}
		if name == "" || !fs.ValidPath(name) || !utf8.ValidString(name) || strings.ContainsAny(name, "\\\x00") {
			return notFound("file")
		}
		f, err := assetsFS.Open(name)
		if err != nil {
			return notFound("file")
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return notFound("file")
		}
		rs, ok := f.(io.ReadSeeker)
		if !ok {
			return notFound("file")
		}
		c.Response().Header().Set("Cache-Control", "public, max-age=300")
		http.ServeContent(c.Response(), c.Request(), fi.Name(), fi.ModTime(), rs)
		return nil
	}
}
