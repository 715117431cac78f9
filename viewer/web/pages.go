package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/graphs"
	"github.com/rtmon/rtmon/viewer/query"
)

// render executes a page template into a buffer first, so a template
// error becomes a clean 500 rather than half a page.
func (a *app) render(c echo.Context, page string, data any) error {
	var b bytes.Buffer
	if err := a.pages[page].ExecuteTemplate(&b, "layout", data); err != nil {
		return fmt.Errorf("web: page %s: %w", page, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(http.StatusOK, b.Bytes())
}

type pageBase struct {
	Title    string
	Interval float64
}

func (a *app) livePage(c echo.Context) error {
	return a.render(c, "live", pageBase{Title: "live", Interval: a.Config.Interval.Seconds()})
}

func (a *app) index(c echo.Context) (*datadir.Index, error) {
	ix, err := a.Store.Get(c.Request().Context())
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable, "the data directory cannot be read").SetInternal(err)
	}
	return ix, nil
}

func (a *app) hostsPage(c echo.Context) error {
	ix, err := a.index(c)
	if err != nil {
		return err
	}
	type hostLink struct {
		Name, Summary string
		URL           template.URL
	}
	data := struct {
		pageBase
		Hosts   []hostLink
		DataDir string
		Refused int
	}{pageBase: pageBase{Title: "hosts"}, DataDir: a.Config.DataDir, Refused: len(ix.Refused)}
	for _, h := range ix.Hosts {
		var rt []string
		for _, p := range h.Plugins {
			if p.Plugin == "rtorrent" {
				rt = append(rt, p.Instance)
			}
		}
		sum := fmt.Sprintf("%d plugins", len(h.Plugins))
		if len(rt) > 0 {
			sum += " · rTorrent " + strings.Join(rt, ", ")
		}
		data.Hosts = append(data.Hosts, hostLink{Name: h.Name, Summary: sum, URL: hostURL(h.Name)})
	}
	return a.render(c, "hosts", data)
}

// URLs are built here from indexed names, each path segment escaped, and
// handed to the templates as template.URL (they start with "/" or "?",
// so no scheme can sneak in).
func hostURL(host string) template.URL { return template.URL("/host/" + url.PathEscape(host)) }

func graphPageURL(host, id string, v url.Values) template.URL {
	return template.URL("/host/" + url.PathEscape(host) + "/" + url.PathEscape(id) + "?" + v.Encode())
}

func graphImageURL(host, id string, v url.Values) template.URL {
	return template.URL("/graph/" + url.PathEscape(host) + "/" + url.PathEscape(id) + "?" + v.Encode())
}

func selfURL(v url.Values) template.URL { return template.URL("?" + v.Encode()) }

type rangeLink struct {
	Name    string
	URL     template.URL
	Current bool
}

func otherTheme(t string) string {
	if t == "dark" {
		return "light"
	}
	return "dark"
}

// lookupHost finds the :host parameter in the index.
func (a *app) lookupHost(c echo.Context) (*datadir.Index, *datadir.Host, error) {
	name, err := param(c, "host")
	if err != nil {
		return nil, nil, err
	}
	ix, err := a.index(c)
	if err != nil {
		return nil, nil, err
	}
	h := ix.Host(name)
	if h == nil {
		if ix, err = a.fresherIndex(c); err != nil {
			return nil, nil, err
		}
		if h = ix.Host(name); h == nil {
			return nil, nil, notFound("host")
		}
	}
	return ix, h, nil
}

// indexRetryAge is how old an index may be before a name missing from it
// makes the handler walk DataDir again: new hosts and files appear at
// once, while a flood of requests for names that do not exist costs at
// most one walk per indexRetryAge.
const indexRetryAge = 2 * time.Second

func (a *app) fresherIndex(c echo.Context) (*datadir.Index, error) {
	ix, err := a.Store.GetFresh(c.Request().Context(), indexRetryAge)
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable, "the data directory cannot be read").SetInternal(err)
	}
	return ix, nil
}

// lookupGraph finds the :graph parameter among the host's graphs, looking
// in a fresher index when it is not there.
func (a *app) lookupGraph(c echo.Context, ix *datadir.Index, h *datadir.Host) (*datadir.Index, *graphs.Def, error) {
	id, err := param(c, "graph")
	if err != nil {
		return nil, nil, err
	}
	if d := graphs.Find(h, id); d != nil {
		return ix, d, nil
	}
	if ix, err = a.fresherIndex(c); err != nil {
		return nil, nil, err
	}
	if h = ix.Host(h.Name); h != nil {
		if d := graphs.Find(h, id); d != nil {
			return ix, d, nil
		}
	}
	return nil, nil, notFound("graph")
}

func badParam(err error) error {
	return echo.NewHTTPError(http.StatusBadRequest, err.Error())
}

func (a *app) hostPage(c echo.Context) error {
	_, h, err := a.lookupHost(c)
	if err != nil {
		return err
	}
	q, err := query.Parse(c.QueryParams(), now())
	if err != nil {
		return badParam(err)
	}
	rng := q.Range
	if rng == "" {
		rng = query.DefaultRange
	}
	type graphLink struct {
		Title             string
		PageURL, ImageURL template.URL
	}
	type section struct {
		Name   string
		Graphs []graphLink
	}
	data := struct {
		pageBase
		Host, Range, Theme, OtherTheme string
		ThemeURL                       template.URL
		Ranges                         []rangeLink
		Sections                       []*section
	}{pageBase: pageBase{Title: h.Name}, Host: h.Name, Range: rng, Theme: q.Theme, OtherTheme: otherTheme(q.Theme),
		ThemeURL: selfURL(url.Values{"range": {rng}, "theme": {otherTheme(q.Theme)}})}
	for _, r := range query.Ranges {
		data.Ranges = append(data.Ranges, rangeLink{r.Name, selfURL(url.Values{"range": {r.Name}, "theme": {q.Theme}}), r.Name == rng})
	}
	byName := map[string]*section{}
	for _, d := range graphs.ForHost(h) {
		s := byName[d.Section]
		if s == nil {
			s = &section{Name: d.Section}
			byName[d.Section] = s
			data.Sections = append(data.Sections, s)
		}
		s.Graphs = append(s.Graphs, graphLink{
			Title:    d.Title,
			PageURL:  graphPageURL(h.Name, d.ID, url.Values{"range": {rng}, "theme": {q.Theme}}),
			ImageURL: graphImageURL(h.Name, d.ID, url.Values{"range": {rng}, "theme": {q.Theme}, "w": {"480"}, "h": {"200"}}),
		})
	}
	return a.render(c, "host", data)
}
