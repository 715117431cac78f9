package rtorrent

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// SkipVerifyWarning returns a warning when cfg turns off the check of an
// https server's certificate (InsecureSkipVerify), and "" otherwise. With
// the check off, anyone on the path can pose as the server and read the
// basic-auth password and every request. Callers say it once per
// instance, at start (the plugin through pluginconf's warnings, the
// probe on stderr), never per read.
func SkipVerifyWarning(cfg Config) string {
	if !cfg.InsecureSkipVerify {
		return ""
	}
	ep, err := ParseURL(cfg.URL)
	if err != nil || ep.Scheme != "https" {
		return ""
	}
	return fmt.Sprintf("rtorrent %q (%s): InsecureSkipVerify is on: the server's certificate is not checked, so anyone "+
		"on the path can pose as it and read the password and every request; set CAFile to the CA that signed it "+
		"instead (said once, at start)", cfg.Name, ep.Display)
}

// tlsCause turns a refused certificate into a one-line reason that says
// what it was checked against and what to change; nil when err is no
// certificate error. The caller's Error adds the instance and the URL.
func tlsCause(err error, caFile string) error {
	var ve *tls.CertificateVerificationError
	if !errors.As(err, &ve) {
		return nil
	}
	roots := "the system's CAs (no CAFile)"
	if caFile != "" {
		roots = "the CAs in CAFile " + quote(caFile)
	}
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	switch {
	case errors.As(ve.Err, &unknown):
		return fmt.Errorf("TLS: the server's certificate is signed by none of %s (%v); set CAFile to the CA that signed it", roots, ve.Err)
	case errors.As(ve.Err, &hostname):
		return fmt.Errorf("TLS: the server's certificate does not name this URL's host (%v); use a host name the certificate holds", ve.Err)
	case errors.As(ve.Err, &invalid):
		return fmt.Errorf("TLS: the server's certificate is refused (%v), checked against %s", ve.Err, roots)
	}
	return fmt.Errorf("TLS: the server's certificate is refused (%v), checked against %s", ve.Err, roots)
}
