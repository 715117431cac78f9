// Package testenv starts real components on loopback for tests and
// benchmarks: rTorrent (SCGI on a unix socket or TCP), opentracker, a
// seeding and a leeching rTorrent that move real data between them, and
// nginx serving rTorrent's SCGI as HTTP /RPC2 behind basic auth, and
// collectd: StartCollectd is the one way tests, benchmarks and the demo
// run it (always -f unless a fork-guard test says otherwise), RunCollectd
// the one way to run it to its end (-t, -T). A program without a
// testing.TB (TestMain, the demo, bench) passes a Runner.
//
// Every component runs from its Debian binary in a private temporary
// directory, listens on loopback only, and is stopped through t.Cleanup,
// also when the test fails. Children run in their own process group (so a
// stop reaches everything they spawned) and get SIGKILL from the kernel when
// the test binary dies (Pdeathsig), so an interrupted or timed-out test run
// leaves no daemon behind.
//
// The test environment talks to rTorrent with its own small XML-RPC-over-SCGI
// client and writes torrents with its own bencode writer. It imports no
// other rtmon package on purpose: tests take their ground truth from the
// test environment, never from the code under test.
package testenv
