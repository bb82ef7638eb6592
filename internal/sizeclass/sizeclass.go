// Package sizeclass numbers the power-of-two classes that this module's
// buffer pools lend by, so that conn's pool and server's agree on one
// rule.
package sizeclass

import "math/bits"

// Of returns the class of buffers that hold n octets, those of 1<<class
// octets, and never less than min.
func Of(n, min int) int {
	return max(bits.Len(uint(n-1)), min)
}
