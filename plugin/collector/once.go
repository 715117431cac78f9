package collector

// onceSet remembers messages already logged, so a problem that repeats
// every interval (a sub-call fault, a rejected value list) is logged once.
// It is bounded: past max distinct messages it forgets them all and starts
// over, which at worst logs a message again.
type onceSet struct {
	seen map[string]struct{}
	max  int
}

func newOnceSet(max int) *onceSet { return &onceSet{seen: map[string]struct{}{}, max: max} }

// First reports whether msg is new, and remembers it.
func (o *onceSet) First(msg string) bool {
	if _, ok := o.seen[msg]; ok {
		return false
	}
	if len(o.seen) >= o.max {
		clear(o.seen)
	}
	o.seen[msg] = struct{}{}
	return true
}
