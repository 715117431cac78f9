package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rtmon/rtmon/viewer/graphs"
	"github.com/rtmon/rtmon/viewer/traffic"
)

// trafficReport parses the request and sums the volume files (see
// viewer/traffic), under the same timeout and render slots as graphs.
func (a *app) trafficReport(c echo.Context) (*traffic.Report, traffic.Request, error) {
	t := now()
	req, err := traffic.ParseRequest(c.QueryParams(), t, time.Local)
	if err != nil {
		return nil, req, badParam(err)
	}
	ix, err := a.index(c)
	if err != nil {
		return nil, req, err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), renderTimeout)
	defer cancel()
	rep, err := traffic.Build(ctx, ix, req, t, a.Renderer)
	if errors.Is(err, traffic.ErrNotFound) {
		// A host or instance created a moment ago: walk DataDir again.
		if ix, err = a.fresherIndex(c); err != nil {
			return nil, req, err
		}
		rep, err = traffic.Build(ctx, ix, req, t, a.Renderer)
	}
	switch {
	case err == nil:
		return rep, req, nil
	case errors.Is(err, traffic.ErrNotFound):
		return nil, req, notFound("host or rTorrent instance")
	case errors.Is(err, traffic.ErrTooManyFiles):
		return nil, req, echo.NewHTTPError(http.StatusUnprocessableEntity,
			fmt.Sprintf("more than %d traffic files; ask for one host or instance (host=, instance=)", traffic.MaxFiles)).SetInternal(err)
	case errors.Is(err, graphs.ErrTooMuchData):
		return nil, req, echo.NewHTTPError(http.StatusUnprocessableEntity, fmt.Sprintf(
			"these archives over these ranges hold more than %d values (the limit per request); ask one host or instance", graphs.MaxPoints)).SetInternal(err)
	case errors.Is(err, graphs.ErrBusy):
		c.Response().Header().Set("Retry-After", "2")
	}
	return nil, req, renderError(err)
}

// jsonTraffic is GET /json/traffic.
func (a *app) jsonTraffic(c echo.Context) error {
	rep, _, err := a.trafficReport(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, rep)
}

// trafficPage is GET /traffic: the report as tables the page's script
// sorts, with a graph link per row. Every name reaches the page through
// html/template, escaped by context.
func (a *app) trafficPage(c echo.Context) error {
	rep, req, err := a.trafficReport(c)
	if err != nil {
		return err
	}
	type row struct {
		*traffic.Row
		GraphURL template.URL
	}
	type inst struct {
		*traffic.Instance
		Rows []row
	}
	type host struct {
		*traffic.Host
		Instances []inst
	}
	data := struct {
		pageBase
		Report           *traffic.Report
		Hosts            []host
		From, To, TZ     string
		HostQ, InstanceQ string
	}{pageBase: pageBase{Title: "traffic"}, Report: rep, TZ: c.QueryParam("tz"), HostQ: req.Host, InstanceQ: req.Instance}
	if req.Range != nil {
		data.From = time.Unix(req.Range.From, 0).In(req.Loc).Format("2006-01-02")
		data.To = time.Unix(req.Range.To-1, 0).In(req.Loc).Format("2006-01-02")
	}
	for _, h := range rep.Hosts {
		hv := host{Host: h}
		for _, in := range h.Instances {
			iv := inst{Instance: in}
			for _, rows := range [][]*traffic.Row{in.Trackers, in.Labels} {
				for _, r := range rows {
					iv.Rows = append(iv.Rows, row{r, graphPageURL(h.Name, r.Graph, url.Values{"range": {"1m"}})})
				}
			}
			hv.Instances = append(hv.Instances, iv)
		}
		data.Hosts = append(data.Hosts, hv)
	}
	return a.render(c, "traffic", data)
}
