//go:build !race

package suite

// raceEnabled tells the tests that the race detector slows everything
// down several times over.
const raceEnabled = false
