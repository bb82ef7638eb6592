package suite

import (
	"fmt"
	"net"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// These tests prove that the runner judges: against peers broken on
// purpose it must fail exactly the cases the original fails. The expected
// sets are derived by hand from the case files and the reference peer's
// behavior (echo_test.go), as the comments explain; they are not computed
// by the runner.

// ids returns prefix.from to prefix.to.
func ids(prefix string, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("%s.%d", prefix, i))
	}
	return out
}

// join concatenates lists of ids.
func join(lists ...[]string) []string { return slices.Concat(lists...) }

// invalidUTF8Vectors are the cases of 6.5 to 6.23 whose payload is not
// valid UTF-8: the prefixes of κόσμε that end inside a character (6.6),
// code points past U+10FFFF (6.8, 6.10, 6.11.5), stray continuation and
// lone start octets (6.12, 6.13), truncated sequences (6.14, 6.15),
// octets never used (6.16), overlong forms (6.17-6.19) and surrogates
// (6.20, 6.21).
var invalidUTF8Vectors = join(
	[]string{"6.6.1", "6.6.3", "6.6.4", "6.6.6", "6.6.8", "6.6.10"},
	ids("6.8", 1, 2), ids("6.10", 1, 3), []string{"6.11.5"},
	ids("6.12", 1, 8), ids("6.13", 1, 5), ids("6.14", 1, 10), []string{"6.15.1"},
	ids("6.16", 1, 3), ids("6.17", 1, 5), ids("6.18", 1, 5), ids("6.19", 1, 5),
	ids("6.20", 1, 7), ids("6.21", 1, 8),
)

// failedIDs returns the ids of the failed results, in order.
func failedIDs(results map[string]*Result) []string {
	var out []string
	for id, r := range results {
		if r.Failed() {
			out = append(out, id)
		}
	}
	slices.SortFunc(out, CompareIDs)
	return out
}

// lightGroups are all the case groups but the heavy ones.
var lightGroups = []string{"1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "10.*"}

type brokenPeer struct {
	name     string
	wrap     func() func(net.Conn) net.Conn
	patterns []string // the cases to run: those the breakage concerns and their neighbours
	extra    []string // more cases, run unless -short or -race
	failed   []string
}

var brokenPeers = []brokenPeer{{
	// The reference fails nothing.
	name:     "reference",
	wrap:     func() func(net.Conn) net.Conn { return nil },
	patterns: lightGroups,
}, {
	// Invalid text comes back to the fuzzer, which fails the connection
	// itself (1007): the peer did not close, so the case fails. Valid
	// text passes.
	name:     "skips UTF-8 validation",
	wrap:     skipsUTF8,
	patterns: []string{"5.*", "6.*"},
	failed:   join(ids("6.3", 1, 2), ids("6.4", 1, 4), invalidUTF8Vectors),
}, {
	// 3.1-3.6: the frame with RSV bits is echoed (or answered with a
	// pong) where nothing should come back. 3.7 sends a close frame with
	// RSV bits and an empty payload: cleared, it is a valid close, which
	// the peer answers with an empty close frame; the fuzzer expects the
	// peer to close and any code or none, so the case passes.
	name:     "accepts reserved bits",
	wrap:     acceptsReservedBits,
	patterns: []string{"3.*", "4.*"},
	failed:   ids("3", 1, 6),
}, {
	// When the fuzzer closes, the peer closes TCP without a close frame:
	// UNCLEAN wherever a clean close is required. When the peer should
	// fail the connection, its close frame is lost and the fuzzer closes
	// first when its timer fires: FAILED. Not failed: 3.7 and 7.3.2,
	// 7.3.6, 7.5.1, 7.9.* (the offending frame is a close frame, so the
	// peer closes TCP at once, and these cases accept that), and the
	// informational 7.1.6, 7.13.*.
	name:     "never answers close",
	wrap:     neverAnswersClose,
	patterns: lightGroups,
	failed: join(
		ids("1.1", 1, 8), ids("1.2", 1, 8), ids("2", 1, 11), ids("3", 1, 6), ids("4.1", 1, 5), ids("4.2", 1, 5),
		ids("5", 1, 20), ids("6.1", 1, 3), ids("6.2", 1, 4), ids("6.3", 1, 2), ids("6.4", 1, 4),
		allOf("6.5", "6.6", "6.7", "6.8", "6.9", "6.10", "6.11", "6.12", "6.13", "6.14", "6.15", "6.16",
			"6.17", "6.18", "6.19", "6.20", "6.21", "6.22", "6.23"),
		ids("7.1", 1, 5), []string{"7.3.1", "7.3.3", "7.3.4", "7.3.5"}, ids("7.7", 1, 13), []string{"10.1.1"},
	),
}, {
	// Every fragmented message comes back as its last fragment: 5.3-5.8
	// and 5.19-5.20 get "fragment2"/"fragment5"; stray continuation frames
	// become messages that are echoed where the peer should fail (5.9-5.18);
	// 6.1.3, 6.2.2-6.2.4, 6.3.2, 6.4.3-6.4.4 end with an empty or partial
	// last fragment; 6.4.1's last part is valid text that comes back, and
	// 10.1.1 gets its last 536 octets. Not failed: 5.1-5.2 (the control
	// frame fails the connection first), 6.1.2 (the last of three empty
	// fragments is the whole message), 6.4.2 (its last part is invalid
	// UTF-8, so the peer fails after both timeouts: NON-STRICT). Group 9:
	// a 4 MiB message in 1 MiB fragments comes back short (its last
	// fragment is empty), one in a single 4 MiB fragment whole.
	name:     "mangles fragmented messages",
	wrap:     manglesFragments,
	patterns: []string{"5.*", "6.*"},
	extra:    []string{"9.3.8", "9.3.9", "9.4.8", "9.4.9", "10.*"},
	failed: join(
		ids("5", 3, 20), []string{"6.1.3"}, ids("6.2", 2, 4), []string{"6.3.2", "6.4.1", "6.4.3", "6.4.4"},
	),
}}

// extraFailed are the failures expected in a broken peer's extra groups.
var extraFailed = map[string][]string{
	"mangles fragmented messages": {"9.3.8", "9.4.8", "10.1.1"},
}

// allOf lists every case of the given subgroups.
func allOf(subgroups ...string) []string {
	var out []string
	for _, c := range All() {
		sub, _ := Subcategory(c.ID)
		if slices.Contains(subgroups, sub) {
			out = append(out, c.ID)
		}
	}
	return out
}

func TestBrokenServers(t *testing.T) {
	for _, p := range brokenPeers {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			patterns, want := p.patterns, p.failed
			if long() && p.extra != nil {
				patterns = join(patterns, p.extra)
				want = join(want, extraFailed[p.name])
			}
			slices.SortFunc(want, CompareIDs)
			got := failedIDs(runAgainst(t, startEcho(t, p.wrap()), patterns...))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("failed cases (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBrokenClients runs the fuzzing server against the reference client,
// correct and unable to validate UTF-8: the judging is the same code as
// for servers, which TestBrokenServers covers with every broken peer.
func TestBrokenClients(t *testing.T) {
	for _, p := range brokenPeers {
		if p.name != "reference" && p.name != "skips UTF-8 validation" {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			want := slices.Clone(p.failed)
			slices.SortFunc(want, CompareIDs)
			got := failedIDs(runAsClient(t, p.wrap(), p.patterns...))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("failed cases (-want +got):\n%s", diff)
			}
		})
	}
}
