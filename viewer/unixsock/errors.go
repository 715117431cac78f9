package unixsock

import (
	"errors"
	"fmt"
)

var (
	// ErrClosed is returned by commands on a Client after Close.
	ErrClosed = errors.New("unixsock: client closed")
	// ErrCommandTooLong is returned, before anything is sent, for a command
	// collectd would cut (and partly run as another command).
	ErrCommandTooLong = errors.New("command longer than collectd's line limit")
	// ErrInvalidIdentifier is returned for an identifier that cannot be
	// sent or would name something else (control characters, empty parts,
	// separators where collectd splits).
	ErrInvalidIdentifier = errors.New("invalid identifier")
	// ErrProtocol is wrapped by every error about a reply that does not
	// follow the protocol; the connection is dropped after one.
	ErrProtocol = errors.New("unixsock protocol error")
)

// ServerError is a negative status reply: collectd refused or failed the
// command and said why.
type ServerError struct {
	Command string // the command line as sent
	Status  int    // the negative status
	Message string // collectd's message, e.g. "No such value."
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("collectd unixsock: %s: %d %s", e.Command, e.Status, e.Message)
}
