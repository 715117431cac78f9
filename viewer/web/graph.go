package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rtmon/rtmon/viewer/graphs"
	"github.com/rtmon/rtmon/viewer/query"
)

// now is the clock the handlers read; tests may replace it.
var now = time.Now

// renderTimeout bounds one render, waiting in the queue included.
const renderTimeout = 20 * time.Second

func renderError(err error) error {
	if errors.Is(err, graphs.ErrBusy) {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "too many graphs being drawn; try again").SetInternal(err)
	}
	if errors.Is(err, graphs.ErrTooMuchData) {
		// The request, not the viewer, is at fault: a shorter span fits.
		return echo.NewHTTPError(http.StatusUnprocessableEntity, fmt.Sprintf(
			"this graph over this span reads more than %d values (the limit per request); ask a shorter span", graphs.MaxPoints)).SetInternal(err)
	}
	if errors.Is(err, fs.ErrNotExist) {
		// A file removed since the index was built: gone, not broken.
		return echo.NewHTTPError(http.StatusNotFound, "a data file of this graph is gone (see the viewer's log)").SetInternal(err)
	}
	return echo.NewHTTPError(http.StatusInternalServerError, "the graph could not be drawn (see the viewer's log)").SetInternal(err)
}

// graphImage is GET /graph/:host/:graph: the image itself, with the data
// area's geometry in X-Graph-* headers for clients that map clicks.
func (a *app) graphImage(c echo.Context) error {
	ix, h, err := a.lookupHost(c)
	if err != nil {
		return err
	}
	ix, d, err := a.lookupGraph(c, ix, h)
	if err != nil {
		return err
	}
	q, err := query.Parse(c.QueryParams(), now())
	if err != nil {
		return badParam(err)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), renderTimeout)
	defer cancel()
	img, err := a.Renderer.Render(ctx, d, q)
	if err != nil {
		if errors.Is(err, graphs.ErrBusy) {
			c.Response().Header().Set("Retry-After", "2")
		}
		return renderError(err)
	}
	hd := c.Response().Header()
	for k, v := range map[string]int64{"Left": int64(img.Left), "Top": int64(img.Top), "Width": int64(img.Width),
		"Height": int64(img.Height), "Start": img.Start, "End": img.End} {
		hd.Set("X-Graph-"+k, strconv.FormatInt(v, 10))
	}
	// Lines past graphs.MaxLines are left out; the title and legend say
	// so, and this says how many to clients that read headers.
	hd.Set("X-Graph-Lines-Omitted", strconv.Itoa(img.Omitted))
	if q.Format == "svg" {
		hd.Set("Content-Security-Policy", svgCSP)
	}
	if q.Range != "" {
		hd.Set("Cache-Control", "private, max-age=10")
	} else {
		hd.Set("Cache-Control", "private, max-age=300")
	}
	return c.Blob(http.StatusOK, img.ContentType, img.Data)
}

// graphPage is GET /host/:host/:graph: one graph, large, with ranges, pan
// and zoom. It renders the image itself to learn the geometry librrd
// chose; the <img> then asks for the same image, which comes from the
// cache.
func (a *app) graphPage(c echo.Context) error {
	ix, h, err := a.lookupHost(c)
	if err != nil {
		return err
	}
	ix, d, err := a.lookupGraph(c, ix, h)
	if err != nil {
		return err
	}
	v := url.Values{}
	for k, vals := range c.QueryParams() {
		v[k] = vals
	}
	if v.Get("w") == "" {
		v.Set("w", "1000")
	}
	if v.Get("h") == "" {
		v.Set("h", "400")
	}
	q, err := query.Parse(v, now())
	q.Format = "png" // the page shows PNG and links both formats
	if err != nil {
		return badParam(err)
	}
	size := func(extra url.Values) url.Values {
		out := url.Values{"w": {strconv.Itoa(q.Width)}, "h": {strconv.Itoa(q.Height)}, "theme": {q.Theme}}
		for k, x := range extra {
			out[k] = x
		}
		return out
	}
	span := q.End - q.Start
	at := func(s, e int64) template.URL {
		if lim := now().Unix(); e > lim {
			s, e = s-(e-lim), lim
		}
		if e-s < 60 {
			s = e - 60
		}
		return selfURL(size(url.Values{"start": {strconv.FormatInt(s, 10)}, "end": {strconv.FormatInt(e, 10)}}))
	}
	mid := (q.Start + q.End) / 2
	explicit := size(url.Values{"start": {strconv.FormatInt(q.Start, 10)}, "end": {strconv.FormatInt(q.End, 10)}})
	data := struct {
		pageBase
		Host, Title, Theme, OtherTheme, From, To, Error string
		W, H                                            int
		HostURL, ImageURL, PNGURL, SVGURL, SeriesURL    template.URL
		Earlier, Later, ZoomIn, ZoomOut, ThemeURL       template.URL
		Ranges                                          []rangeLink
		Image                                           *graphs.Image
	}{
		pageBase: pageBase{Title: d.Title}, Host: h.Name, Title: d.Title, Theme: q.Theme, OtherTheme: otherTheme(q.Theme),
		W: q.Width, H: q.Height,
		From: time.Unix(q.Start, 0).Format("2006-01-02 15:04"), To: time.Unix(q.End, 0).Format("2006-01-02 15:04"),
		HostURL:  hostURL(h.Name),
		ImageURL: graphImageURL(h.Name, d.ID, explicit),
		Earlier:  at(q.Start-span/2, q.End-span/2),
		Later:    at(q.Start+span/2, q.End+span/2),
		ZoomIn:   at(mid-span/4, mid+span/4),
		ZoomOut:  at(mid-span, mid+span),
	}
	themed := url.Values{}
	for k, x := range explicit {
		themed[k] = x
	}
	themed.Set("theme", otherTheme(q.Theme))
	data.ThemeURL = selfURL(themed)
	png, svg := url.Values{}, url.Values{}
	for k, x := range explicit {
		png[k], svg[k] = x, x
	}
	svg.Set("fmt", "svg")
	data.PNGURL, data.SVGURL = graphImageURL(h.Name, d.ID, png), graphImageURL(h.Name, d.ID, svg)
	data.SeriesURL = template.URL("/api/series?" + url.Values{"host": {h.Name}, "graph": {d.ID},
		"start": {strconv.FormatInt(q.Start, 10)}, "end": {strconv.FormatInt(q.End, 10)}}.Encode())
	cur := q.Range
	for _, r := range query.Ranges {
		data.Ranges = append(data.Ranges, rangeLink{r.Name, selfURL(size(url.Values{"range": {r.Name}})), r.Name == cur})
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), renderTimeout)
	defer cancel()
	img, err := a.Renderer.Render(ctx, d, q)
	if err != nil {
		a.Log.Warn("web: graph page render failed", "graph", d.ID, "err", err)
		data.Error = "The graph could not be drawn: " + renderError(err).(*echo.HTTPError).Message.(string)
	}
	data.Image = img
	return a.render(c, "graph", data)
}

// series is GET /api/series?host=&graph=&range=|start=&end=[&w=]: a
// graph's lines as a table (rrd xport), at most w rows.
func (a *app) series(c echo.Context) error {
	ix, err := a.index(c)
	if err != nil {
		return err
	}
	qp := c.QueryParams()
	if len(qp["host"]) != 1 || len(qp["graph"]) != 1 {
		return echo.NewHTTPError(http.StatusBadRequest, "give host and graph once each")
	}
	h := ix.Host(qp.Get("host"))
	d := (*graphs.Def)(nil)
	if h != nil {
		d = graphs.Find(h, qp.Get("graph"))
	}
	if d == nil {
		if ix, err = a.fresherIndex(c); err != nil {
			return err
		}
		if h = ix.Host(qp.Get("host")); h == nil {
			return notFound("host")
		}
		if d = graphs.Find(h, qp.Get("graph")); d == nil {
			return notFound("graph")
		}
	}
	q, err := query.Parse(qp, now())
	if err != nil {
		return badParam(err)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), renderTimeout)
	defer cancel()
	s, err := a.Renderer.Series(ctx, d, q)
	if err != nil {
		return renderError(err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, struct {
		Host  string `json:"host"`
		Graph string `json:"graph"`
		*graphs.Series
	}{h.Name, d.ID, s})
}
