// Package assets holds the viewer's HTML templates, JavaScript and CSS,
// embedded in the binary. They are ours and small, and the pages load
// nothing from other hosts: the Content-Security-Policy the viewer sends
// (default-src 'self') would block it anyway, and a monitoring page must
// work on a box without internet access.
package assets

import (
	"embed"
	"html/template"
	"io/fs"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Static returns the files served under /static/.
func Static() fs.FS {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embed directive guarantees the directory
	}
	return sub
}

// Pages are the page templates, each parsed with the layout.
var Pages = []string{"live", "hosts", "host", "graph", "traffic", "fleet"}

// Templates parses each page with the layout; the result maps a page name
// to a template whose "layout" renders it. html/template escapes every
// name from DataDir or collectd by context (text, attribute, URL).
func Templates(funcs template.FuncMap) (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, p := range Pages {
		t, err := template.New(p).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, err
		}
		out[p] = t
	}
	return out, nil
}
