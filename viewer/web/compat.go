package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/rtmon/rtmon/viewer/live"
	"github.com/rtmon/rtmon/viewer/pyrotorque"
	"github.com/rtmon/rtmon/viewer/query"
)

// pick chooses the host and rTorrent instance of a pyrotorque-compatible
// reply: ?host= and ?instance= when given; otherwise the local host, or
// (when it runs no rTorrent and one is wanted, or is not in the snapshot)
// the first host running rTorrent, else the first host. in is nil when
// the host runs no rTorrent.
func pick(c echo.Context, s *live.Snapshot, wantRT bool) (*live.Host, *live.Instance, error) {
	if err := query.Once(c.QueryParams(), "host", "instance"); err != nil {
		return nil, nil, badParam(err)
	}
	hostName, instName := c.QueryParam("host"), c.QueryParam("instance")
	var h *live.Host
	if hostName != "" {
		for _, x := range s.Hosts {
			if x.Name == hostName {
				h = x
			}
		}
		if h == nil {
			return nil, nil, notFound("host")
		}
	} else {
		for _, x := range s.Hosts {
			if x.Local && (!wantRT || len(x.RTorrent) > 0) {
				h = x
			}
		}
		for _, x := range s.Hosts {
			if h == nil && len(x.RTorrent) > 0 {
				h = x
			}
		}
		if h == nil && len(s.Hosts) > 0 {
			h = s.Hosts[0]
		}
	}
	if h == nil {
		return nil, nil, echo.NewHTTPError(http.StatusServiceUnavailable, "no host has values: "+s.Error)
	}
	for _, in := range h.RTorrent {
		if instName == "" || in.Name == instName {
			return h, in, nil
		}
	}
	if instName != "" {
		return nil, nil, notFound("rTorrent instance")
	}
	return h, nil, nil
}

// jsonEngine is GET /json/engine, shaped like pyrotorque's.
func (a *app) jsonEngine(c echo.Context) error {
	s, err := a.snapshot(c)
	if err != nil {
		return err
	}
	h, in, err := pick(c, s, true)
	if err != nil {
		return err
	}
	if in == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "no rTorrent instance on host "+h.Name)
	}
	e, why := pyrotorque.NewEngine(s, h, in)
	if e == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, why)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, e)
}

// jsonCharts is GET /json/charts, shaped like pyrotorque's. Without an
// rTorrent instance the host figures are still there, without engine.
func (a *app) jsonCharts(c echo.Context) error {
	s, err := a.snapshot(c)
	if err != nil {
		return err
	}
	h, in, err := pick(c, s, false)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, pyrotorque.NewCharts(s, h, in))
}
