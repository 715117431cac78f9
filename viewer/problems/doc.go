// Package problems keeps the current problems of every host and
// rTorrent instance as small files in one directory: what collectd's
// notifications (the plugin's own, the threshold plugin's) say is wrong
// now, and since when. cmd/rtmon-notify, run by collectd's exec plugin as
// NotificationExec, records each notification (Record); the viewer's live
// poller lists the directory (List) for the top of the live page and
// /json/live.
//
// A directory rather than a socket or a database: the exec plugin starts
// one short process per notification, the viewer may run as another user
// or not at all, and a central collectd receiving many hosts over the
// network plugin runs the same NotificationExec for all of them
// (docs/alerts.md). A FAILURE or WARNING creates or updates the file of
// its (host, plugin, plugin instance, type, type instance); the OKAY with
// the same names removes it. Every input is bounded: the notification's
// size, each name, the message, the number of files, each file's size.
package problems
