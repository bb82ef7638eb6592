package suite

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCaseCounts checks the suite against the original's numbers: 517
// cases, and how many in each group and subgroup.
func TestCaseCounts(t *testing.T) {
	if n := len(All()); n != 517 {
		t.Errorf("%d cases, want 517", n)
	}
	groups := map[string]int{}
	subgroups := map[string]int{}
	for _, c := range All() {
		g, _ := Category(c.ID)
		groups[g]++
		sub, _ := Subcategory(c.ID)
		subgroups[sub]++
	}
	want := map[string]int{"1": 16, "2": 11, "3": 7, "4": 10, "5": 20, "6": 145, "7": 37, "9": 54, "10": 1, "12": 90, "13": 126}
	if diff := cmp.Diff(want, groups); diff != "" {
		t.Errorf("cases per group (-want +got):\n%s", diff)
	}
	for sub, n := range map[string]int{
		"6.5": 5, "6.6": 11, "6.12": 8, "6.13": 5, "6.14": 10, "6.22": 34, "6.23": 7,
		"7.7": 13, "7.9": 9, "7.13": 2, "9.3": 9, "9.7": 6, "9.8": 6, "12.1": 18, "13.7": 18,
	} {
		if subgroups[sub] != n {
			t.Errorf("subgroup %s has %d cases, want %d", sub, subgroups[sub], n)
		}
	}
	if first, last := All()[0].ID, All()[len(All())-1].ID; first != "1.1.1" || last != "13.7.18" {
		t.Errorf("cases run from %s to %s, want 1.1.1 to 13.7.18", first, last)
	}
	if !slices.IsSortedFunc(All(), func(a, b *Case) int { return CompareIDs(a.ID, b.ID) }) {
		t.Error("cases are not in id order")
	}
}

// TestCaseTexts spot-checks descriptions and expectations transcribed or
// generated from the original's case files, quirks included.
func TestCaseTexts(t *testing.T) {
	for _, tc := range []struct{ id, desc, exp string }{
		{"1.1.8", "Send text message message with payload of length 65536. Sent out data in chops of 997 octets.", "Receive echo'ed text message (with payload as sent). Clean close with normal code."},
		{"3.6", "Send Ping with <b>RSV = 6</b>.", "The connection is failed immediately, since RSV must be 0."},
		{"6.5.4", "Send a text message with payload which is valid UTF-8 in one fragment.<br><br>Payload: 0x68656c6c6ff0a4ada2776f726c64", "The message is echo'ed back to us."},
		{"6.12.8", "Send a text message with payload which is not valid UTF-8 in one fragment.<br><br>Payload: 0x" + hexRange(0x80, 0xbf), "The connection is failed immediately, since the payload is not valid UTF-8."},
		{"7.7.10", "Send close with valid close code 3000", "Clean close with normal or echoed code"},
		{"7.9.4", "Send close with invalid close code 1005", "Clean close with protocol error code or drop TCP"},
		{"9.2.5", "Send binary message message with payload of length 8 * 2**20 (16M).", "Receive echo'ed binary message (with payload as sent)."},
		{"9.3.9", "Send fragmented text message message with message payload of length 4 * 2**20 (8M). Sent out in fragments of 4M.", "Receive echo'ed text message (with payload as sent)."},
		{"9.7.6", "Send 1000 text messages of payload size 4096 to measure implementation/network RTT (round trip time) / latency.", "Receive echo'ed text messages (with payload as sent). Timeout case after 480 secs."},
		{"12.3.15", "Send 1000 compressed messages each of payload size 131072, auto-fragment to 256 octets. Use default permessage-deflate offer.", "Receive echo'ed messages (with payload as sent). Timeout case after 480 secs."},
		{"13.2.1", "Send 1000 compressed messages each of payload size 16, auto-fragment to 0 octets. Use permessage-deflate client offers (requestNoContextTakeover, requestMaxWindowBits): [(True, 0)]", "Receive echo'ed messages (with payload as sent). Timeout case after 60 secs."},
	} {
		c := ByID(tc.id)
		if c == nil {
			t.Errorf("no case %s", tc.id)
			continue
		}
		if c.Description != tc.desc {
			t.Errorf("%s description\n got %q\nwant %q", tc.id, c.Description, tc.desc)
		}
		if c.Expectation != tc.exp {
			t.Errorf("%s expectation\n got %q\nwant %q", tc.id, c.Expectation, tc.exp)
		}
	}
	for _, tc := range []struct{ sub, title string }{
		{"6.5", "Some valid UTF-8 sequences"},
		{"6.23", "Unicode specials (i.e. replacement char)"},
		{"12.2", "Lena Picture, Bitmap 512x512 bw (binary, 263222 bytes)"},
		{"13.5", "Large JSON data file (utf8, 194056 bytes) - client offers (requestNoContextTakeover, requestMaxWindowBits): [(True, 9)] / server accept (requestNoContextTakeover, requestMaxWindowBits): [(True, 9)]"},
	} {
		if _, title := Subcategory(tc.sub + ".1"); title != tc.title {
			t.Errorf("subgroup %s\n got %q\nwant %q", tc.sub, title, tc.title)
		}
	}
}

// hexRange is the hex of the octets from a up to b, b excluded.
func hexRange(a, b int) string {
	var s []byte
	for i := a; i < b; i++ {
		s = append(s, byte(i))
	}
	return hexOf(string(s))
}

// TestSelect checks the original's pattern syntax: '*' matches any text,
// a pattern matches ids from their start, exclusions apply after.
func TestSelect(t *testing.T) {
	count := func(patterns, exclude []string) int {
		cases, err := Select(patterns, exclude)
		if err != nil {
			t.Fatalf("Select(%q, %q): %v", patterns, exclude, err)
		}
		return len(cases)
	}
	for _, tc := range []struct {
		patterns, exclude []string
		want              int
	}{
		{[]string{"*"}, nil, 517},
		{[]string{"1.*"}, nil, 16},
		{[]string{"1.1.*"}, nil, 8},
		{[]string{"12.2.*"}, nil, 18},
		{[]string{"2.1"}, nil, 1},
		{[]string{"2.1*"}, nil, 3}, // 2.1, 2.10, 2.11
		{[]string{"*"}, []string{"9.*", "12.*", "13.*"}, 247},
		{[]string{"6.4.3", "6.4.3", "1.1.1"}, nil, 2},
		{[]string{"1.*"}, []string{"*"}, 0},
		{[]string{"99.*"}, nil, 0},
	} {
		if got := count(tc.patterns, tc.exclude); got != tc.want {
			t.Errorf("Select(%q, %q): %d cases, want %d", tc.patterns, tc.exclude, got, tc.want)
		}
	}
	if _, err := Select([]string{"99.1"}, nil); err == nil {
		t.Error("Select of an unknown id: no error")
	}
	cases, _ := Select([]string{"2.10", "2.9", "10.1.1", "2.1"}, nil)
	var got []string
	for _, c := range cases {
		got = append(got, c.ID)
	}
	if diff := cmp.Diff([]string{"2.1", "2.9", "2.10", "10.1.1"}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestAgentExclusions(t *testing.T) {
	e := AgentExclusions{"Autobahn*": {"9.*", "12.1.1"}, "exact": {"*"}}
	for _, tc := range []struct {
		agent, id string
		want      bool
	}{
		{"AutobahnPython/0.6", "9.1.1", true},
		{"AutobahnPython/0.6", "12.1.1", true},
		{"AutobahnPython/0.6", "12.1.10", false}, // whole ids only
		{"AutobahnPython/0.6", "1.1.1", false},
		{"exact", "1.1.1", true},
		{"exactly", "1.1.1", false},
	} {
		if got := e.Excludes(tc.agent, tc.id); got != tc.want {
			t.Errorf("Excludes(%q, %q) = %v, want %v", tc.agent, tc.id, got, tc.want)
		}
	}
}

// FuzzSelect selects cases with arbitrary patterns: no panic, and the
// result is in order, without repeats.
func FuzzSelect(f *testing.F) {
	f.Add("1.*", "")
	f.Add("*", "9.*")
	f.Add("6.4.3", "6.4.3")
	f.Add("[", "(")
	f.Fuzz(func(t *testing.T, pattern, exclude string) {
		cases, err := Select([]string{pattern}, []string{exclude})
		if err != nil {
			return
		}
		for i := 1; i < len(cases); i++ {
			if CompareIDs(cases[i-1].ID, cases[i].ID) >= 0 {
				t.Fatalf("%s then %s", cases[i-1].ID, cases[i].ID)
			}
		}
	})
}
