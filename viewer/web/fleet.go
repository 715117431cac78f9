package web

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/rtmon/rtmon/viewer/fleet"
	"github.com/rtmon/rtmon/viewer/graphs"
)

// jsonFleet serves the fleet table as the shared poller encoded it: the
// same bytes for every browser, so a thousand browsers cost collectd what
// one does (viewer/fleet).
func (a *app) jsonFleet(c echo.Context) error {
	if a.Fleet == nil {
		return echo.NewHTTPError(http.StatusNotFound, "the fleet page is not enabled")
	}
	_, b, err := a.Fleet.Current(c.Request().Context())
	if err != nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "no fleet table yet").SetInternal(err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSONBlob(http.StatusOK, b)
}

// fleetPage is the table's frame; fleet.js fills and refreshes it from
// /json/fleet. The fleet-wide graphs are those of fleet.FleetHost, the
// host the central snippet's aggregation plugin writes the sums under.
func (a *app) fleetPage(c echo.Context) error {
	if a.Fleet == nil {
		return echo.NewHTTPError(http.StatusNotFound, "the fleet page is not enabled")
	}
	type graphLink struct {
		Title             string
		PageURL, ImageURL template.URL
	}
	data := struct {
		pageBase
		Graphs []graphLink
	}{pageBase: pageBase{Title: "fleet", Interval: a.Config.Interval.Seconds()}}
	if ix, err := a.Store.Get(c.Request().Context()); err == nil {
		if h := ix.Host(fleet.FleetHost); h != nil {
			v := url.Values{"range": {"1d"}}
			for _, d := range graphs.ForHost(h) {
				if len(data.Graphs) == 8 {
					break
				}
				data.Graphs = append(data.Graphs, graphLink{Title: d.Title,
					PageURL: graphPageURL(h.Name, d.ID, v), ImageURL: graphImageURL(h.Name, d.ID, v)})
			}
		}
	}
	return a.render(c, "fleet", data)
}
