// Package web is the viewer's HTTP side on echo: routes, handlers and the
// middleware that makes it safe by default (security headers on every
// reply, basic auth when configured, a Host check against DNS rebinding
// when it is not, GET and HEAD only, bounded parameters).
//
// Handlers reach RRD files only through the DataDir index: a host, graph
// or file named in a request is looked up there by name, and a name not in
// the index is "not found". Path parameters are unescaped exactly once
// (see rawPath), so "%2e%2e" or "%2F" are just names that do not exist.
package web
