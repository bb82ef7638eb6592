package suite

import (
	"testing"
)

// compressionSample is a sample of the compression cases: every corpus,
// every parameter set of group 13, and larger messages, once with
// auto-fragmentation and once with a 512-octet window.
var compressionSample = []string{
	"12.1.1", "12.2.1", "12.3.1", "12.4.1", "12.5.1", "12.5.11",
	"13.1.1", "13.2.1", "13.3.1", "13.4.1", "13.5.1", "13.6.1", "13.7.1", "13.3.5",
}

// TestCompression runs the sample against the reference with
// permessage-deflate, which must pass; against the reference without it,
// which must leave every case UNIMPLEMENTED; and against a peer that
// negotiates compression but reads compressed messages as plain ones
// (their RSV1 bit cleared), which must fail every case.
func TestCompression(t *testing.T) {
	if !long() {
		t.Skip("the compression cases send thousands of messages: not with -short or -race")
	}
	for _, tc := range []struct {
		name string
		url  func(t *testing.T) string
		want Behavior
	}{
		{"deflate", func(t *testing.T) string { return startDeflateEcho(t, nil) }, OK},
		{"no deflate", func(t *testing.T) string { return startEcho(t, nil) }, Unimplemented},
		{"compressed read as plain", func(t *testing.T) string { return startDeflateEcho(t, acceptsReservedBits()) }, Failed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for id, r := range runAgainst(t, tc.url(t), compressionSample...) {
				if r.Behavior != tc.want {
					t.Errorf("%s: behavior %s (%s), want %s", id, r.Behavior, r.Result, tc.want)
				}
				if tc.want != Failed && r.BehaviorClose != OK {
					t.Errorf("%s: closing behavior %s (%s), want OK", id, r.BehaviorClose, r.ResultClose)
				}
			}
		})
	}
}
