//go:build race

package server

// raceEnabled reports whether the race detector is on: it allocates on its
// own, so allocation counts mean nothing then.
const raceEnabled = true
