package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/rtmon/rtmon/viewer/live"
	"github.com/rtmon/rtmon/viewer/pyrotorque"
)

// pick chooses the host and rTorrent instance of a pyrotorque-compatible
// reply: ?host= and ?instance= when given, else the local host (or the
// first one) and its first instance. in is nil when the host has none.
func pick(c echo.Context, s *live.Snapshot) (*live.Host, *live.Instance, error) {
	hostName, instName := c.QueryParam("host"), c.QueryParam("instance")
	var h *live.Host
	for _, x := range s.Hosts {
		if (hostName == "" && x.Local) || (hostName != "" && x.Name == hostName) {
			h = x
			break
		}
	}
	if h == nil && hostName == "" {
		// No local host: the first host running rTorrent, else the first.
		for _, x := range s.Hosts {
			if len(x.RTorrent) > 0 {
				h = x
				break
			}
		}
		if h == nil && len(s.Hosts) > 0 {
			h = s.Hosts[0]
		}
	}
	if h == nil {
		if hostName != "" {
			return nil, nil, notFound("host")
		}
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
	h, in, err := pick(c, s)
	if err != nil {
		return err
	}
	if in == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "no rTorrent instance on host "+h.Name)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, pyrotorque.NewEngine(s, h, in))
}

// jsonCharts is GET /json/charts, shaped like pyrotorque's. Without an
// rTorrent instance the host figures are still there, with engine null.
func (a *app) jsonCharts(c echo.Context) error {
	s, err := a.snapshot(c)
	if err != nil {
		return err
	}
	h, in, err := pick(c, s)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, pyrotorque.NewCharts(s, h, in))
}
