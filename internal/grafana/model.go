// Package grafana generates rtmon's Grafana dashboard,
// dist/grafana/rtmon.json, from the metric catalogue: every query names
// its metrics through the catalogue's Prometheus names (what collectd's
// write_prometheus serves, docs/prometheus.md), so the dashboard cannot
// drift from what the plugin sends. A test keeps the committed file equal
// to what Generate makes; another runs every panel's query against a real
// Prometheus (internal/promstack).
package grafana

//go:generate go test -run TestDashboardFile -update-dashboard .

// SchemaVersion is the version of Grafana's classic dashboard JSON model
// the file follows: 43, the newest classic schema (Grafana 12 and 13; 13
// defaults to the v2 resource model for its own API but imports classic
// JSON, the format of the public dashboard collection). The migrations
// from 39 to 43 change nothing here: refresh is a string (40), the
// timepicker has no time_options (41), no override hides a field (42), no
// panel uses the formatTime transformation (43); TestModel checks each.
const SchemaVersion = 43

// The model: only the fields rtmon's dashboard sets, in the order Grafana
// writes them when it exports a dashboard.

// Dashboard is the top level of the JSON model.
type Dashboard struct {
	Requires             []Requirement `json:"__requires"`
	Annotations          Annotations   `json:"annotations"`
	Description          string        `json:"description"`
	Editable             bool          `json:"editable"`
	FiscalYearStartMonth int           `json:"fiscalYearStartMonth"`
	GraphTooltip         int           `json:"graphTooltip"`
	ID                   *int          `json:"id"`
	Links                []any         `json:"links"`
	Panels               []*Panel      `json:"panels"`
	Refresh              string        `json:"refresh"`
	SchemaVersion        int           `json:"schemaVersion"`
	Tags                 []string      `json:"tags"`
	Templating           Templating    `json:"templating"`
	Time                 TimeRange     `json:"time"`
	Timepicker           struct{}      `json:"timepicker"`
	Timezone             string        `json:"timezone"`
	Title                string        `json:"title"`
	UID                  string        `json:"uid"`
	Version              int           `json:"version"`
	WeekStart            string        `json:"weekStart"`
}

// Requirement is an entry of __requires: what the dashboard needs
// installed (informational; Grafana shows it on import).
type Requirement struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Annotations holds Grafana's built-in annotation query.
type Annotations struct {
	List []Annotation `json:"list"`
}

// Annotation is one annotation query.
type Annotation struct {
	BuiltIn    int        `json:"builtIn"`
	Datasource Datasource `json:"datasource"`
	Enable     bool       `json:"enable"`
	Hide       bool       `json:"hide"`
	IconColor  string     `json:"iconColor"`
	Name       string     `json:"name"`
	Type       string     `json:"type"`
}

// Datasource references a data source by type and uid; "${datasource}"
// is the dashboard's datasource variable.
type Datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Panel is a time series panel or a row.
type Panel struct {
	Collapsed   *bool        `json:"collapsed,omitempty"` // rows only
	Datasource  *Datasource  `json:"datasource,omitempty"`
	Description string       `json:"description,omitempty"`
	FieldConfig *FieldConfig `json:"fieldConfig,omitempty"`
	GridPos     GridPos      `json:"gridPos"`
	ID          int          `json:"id"`
	Options     *Options     `json:"options,omitempty"`
	Panels      []*Panel     `json:"panels,omitempty"` // a collapsed row's; rtmon's rows are open
	Targets     []Target     `json:"targets,omitempty"`
	Title       string       `json:"title"`
	Type        string       `json:"type"`
}

// GridPos places a panel on the 24-column grid.
type GridPos struct {
	H int `json:"h"`
	W int `json:"w"`
	X int `json:"x"`
	Y int `json:"y"`
}

// FieldConfig sets the unit and lower bound of a panel's series.
type FieldConfig struct {
	Defaults  FieldDefaults `json:"defaults"`
	Overrides []any         `json:"overrides"`
}

// FieldDefaults are the settings of every series of a panel.
type FieldDefaults struct {
	Custom *FieldCustom `json:"custom,omitempty"`
	Min    *float64     `json:"min,omitempty"`
	Unit   string       `json:"unit"`
}

// FieldCustom holds the time series panel's drawing options.
type FieldCustom struct {
	FillOpacity int         `json:"fillOpacity"`
	Stacking    StackingOpt `json:"stacking"`
}

// StackingOpt stacks a panel's series ("normal") or not ("none").
type StackingOpt struct {
	Group string `json:"group"`
	Mode  string `json:"mode"`
}

// Options are the time series panel's legend and tooltip.
type Options struct {
	Legend  Legend  `json:"legend"`
	Tooltip Tooltip `json:"tooltip"`
}

// Legend is a time series panel's legend.
type Legend struct {
	Calcs       []string `json:"calcs"`
	DisplayMode string   `json:"displayMode"`
	Placement   string   `json:"placement"`
	ShowLegend  bool     `json:"showLegend"`
}

// Tooltip is a time series panel's tooltip.
type Tooltip struct {
	Mode string `json:"mode"`
	Sort string `json:"sort"`
}

// Target is one PromQL query of a panel.
type Target struct {
	Datasource   Datasource `json:"datasource"`
	EditorMode   string     `json:"editorMode"`
	Expr         string     `json:"expr"`
	LegendFormat string     `json:"legendFormat"`
	Range        bool       `json:"range"`
	RefID        string     `json:"refId"`
}

// Templating holds the dashboard's variables.
type Templating struct {
	List []Variable `json:"list"`
}

// Variable is a dashboard variable: the data source, or a label's values.
type Variable struct {
	AllValue    string      `json:"allValue,omitempty"`
	Current     struct{}    `json:"current"`
	Datasource  *Datasource `json:"datasource,omitempty"`
	Definition  string      `json:"definition,omitempty"`
	Hide        int         `json:"hide"`
	IncludeAll  bool        `json:"includeAll"`
	Label       string      `json:"label"`
	Multi       bool        `json:"multi"`
	Name        string      `json:"name"`
	Options     []any       `json:"options"`
	Query       any         `json:"query"` // a string, or a VariableQuery
	Refresh     int         `json:"refresh"`
	Regex       string      `json:"regex"`
	SkipURLSync bool        `json:"skipUrlSync"`
	Sort        int         `json:"sort"`
	Type        string      `json:"type"`
}

// VariableQuery is the Prometheus data source's variable query.
type VariableQuery struct {
	QryType int    `json:"qryType"`
	Query   string `json:"query"`
	RefID   string `json:"refId"`
}

// TimeRange is the dashboard's default time range.
type TimeRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}
