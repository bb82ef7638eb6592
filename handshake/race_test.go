//go:build race

package handshake

// raceEnabled skips allocation checks: under the race detector sync.Pool
// drops items on purpose.
const raceEnabled = true
