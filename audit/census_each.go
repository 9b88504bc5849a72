package audit

// WithEach calls fn with every socket the census counts (after OnlyStates),
// listeners first, in the order the source reports them. The Socket is
// reused for the next one: fn must copy what it keeps. A census that is
// started over after a failed netlink dump calls fn again for the sockets
// it counts the second time.
func WithEach(fn func(*Socket)) CensusOption {
	return func(c *Census) { c.each = fn }
}
