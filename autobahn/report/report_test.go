package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rfc6455/ws/autobahn/fuzz"
	"github.com/rfc6455/ws/autobahn/suite"
)

func TestFileName(t *testing.T) {
	for _, tc := range []struct{ agent, id, ext, want string }{
		// As in the reports the original ships with its data files.
		{"AutobahnPython/0.6.0", "1.1.1", "json", "autobahnpython_0_6_0_case_1_1_1.json"},
		{"rfc6455-ws", "12.1.10", "html", "rfc6455_ws_case_12_1_10.html"},
		{"  Two  Spaces! ", "2.1", "json", "two__spaces_case_2_1.json"},
	} {
		if got := FileName(tc.agent, tc.id, tc.ext); got != tc.want {
			t.Errorf("FileName(%q, %q, %q) = %q, want %q", tc.agent, tc.id, tc.ext, got, tc.want)
		}
	}
}

// sampleResults are results as a run makes them.
func sampleResults() map[string][]*suite.Result {
	code := 1000
	reason := "Going Away"
	return map[string][]*suite.Result{"Agent/1.0": {
		{
			Agent: "Agent/1.0", ID: "1.1.1", Case: 1, Behavior: suite.OK, BehaviorClose: suite.OK,
			Description: "Send text message with payload 0.", Duration: 3, RemoteCloseCode: &code,
			Expected: map[suite.Behavior][]suite.Event{suite.OK: {suite.Message("", false)}},
			Received: []suite.Event{suite.Message("", false)},
			Wirelog: []fuzz.WireEvent{
				{Kind: fuzz.KindTxFrame, Len: 0, Opcode: 1, Fin: true, Mask: "01020304"},
				{Kind: fuzz.KindKillAfter, Delay: 1},
			},
			RxOctetStats: map[int]int{4: 1}, TxOctetStats: map[int]int{6: 1},
			RxFrameStats: map[int]int{1: 1}, TxFrameStats: map[int]int{1: 1},
		},
		{
			Agent: "Agent/1.0", ID: "3.1", Case: 17, Behavior: suite.Failed, BehaviorClose: suite.Failed,
			Description: "Send small text message with <b>RSV = 1</b>.", Duration: 1002, LocalCloseReason: &reason,
			Received: []suite.Event{},
		},
	}}
}

// TestIndexJSON checks index.json: the original's keys, sorted, indented
// by three spaces.
func TestIndexJSON(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, "test", sampleResults()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{
   "Agent/1.0": {
      "1.1.1": {
         "behavior": "OK",
         "behaviorClose": "OK",
         "duration": 3,
         "remoteCloseCode": 1000,
         "reportfile": "agent_1_0_case_1_1_1.json"
      },
      "3.1": {
         "behavior": "FAILED",
         "behaviorClose": "FAILED",
         "duration": 1002,
         "remoteCloseCode": null,
         "reportfile": "agent_1_0_case_3_1.json"
      }
   }
}
`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("index.json (-want +got):\n%s", diff)
	}
}

// TestCaseJSON checks a case's report has the original's keys.
func TestCaseJSON(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, "test", sampleResults()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "agent_1_0_case_1_1_1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{
		"agent", "behavior", "behaviorClose", "case", "closedByMe", "createStats", "createWirelog", "description",
		"droppedByMe", "duration", "expectation", "expected", "expectedClose", "failedByMe", "httpRequest",
		"httpResponse", "id", "isServer", "localCloseCode", "localCloseReason", "received", "remoteCloseCode",
		"remoteCloseReason", "reportCompressionRatio", "reportTime", "result", "resultClose", "rxFrameStats",
		"rxOctetStats", "started", "trafficStats", "txFrameStats", "txOctetStats", "wasClean",
		"wasCloseHandshakeTimeout", "wasNotCleanReason", "wasOpenHandshakeTimeout",
		"wasServerConnectionDropTimeout", "wirelog",
	} {
		if _, ok := m[key]; !ok {
			t.Errorf("key %q missing", key)
		}
	}
	got := string(b)
	for _, frag := range []string{
		`"expected": {
      "OK": [
         [
            "message",
            "",
            false
         ]
      ]
   }`,
		`"rxOctetStats": {
      "4": 1
   }`,
		`"KL",`,
	} {
		if !strings.Contains(got, frag) {
			t.Errorf("report lacks %s", frag)
		}
	}
}

// TestHTML checks that the pages are written and link to each other.
func TestHTML(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, "Servers", sampleResults()); err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{
		`<title>Servers</title>`,
		`<a href="agent_1_0_case_1_1_1.html">Pass</a>`,
		`<td class="failed"><a href="agent_1_0_case_3_1.html">Fail</a>`,
		`<h2 id="group_3">3 Reserved Bits</h2>`,
		`<tr class="sub"><td colspan="3">1.1 Text Messages</td></tr>`,
		`Send small text message with <b>RSV = 1</b>.`, // descriptions are HTML
	} {
		if !strings.Contains(string(index), frag) {
			t.Errorf("index.html lacks %s", frag)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "agent_1_0_case_1_1_1.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{
		"000 TX FRAME : OPCODE=1, FIN=True, RSV=0, PAYLOAD-LEN=0, MASK=01020304, PAYLOAD-REPEAT-LEN=None, CHOPSIZE=None, SYNC=False",
		"001 FAIL CONNECTION AFTER 1.000000 sec",
		"002 TCP DROPPED BY PEER",
	} {
		if !strings.Contains(string(page), frag) {
			t.Errorf("case page lacks %s", frag)
		}
	}
}

func TestCounts(t *testing.T) {
	var c Counts
	for _, r := range []*suite.Result{
		{Behavior: suite.OK, BehaviorClose: suite.OK},
		{Behavior: suite.OK, BehaviorClose: suite.Unclean},
		{Behavior: suite.NonStrict, BehaviorClose: suite.WrongCode},
		{Behavior: suite.Failed, BehaviorClose: suite.Failed},
		{Behavior: suite.Informational, BehaviorClose: suite.Informational},
		{Behavior: suite.Unimplemented, BehaviorClose: suite.OK},
	} {
		c.Add(r)
	}
	want := Counts{OK: 2, NonStrict: 1, Informational: 1, Unimplemented: 1, Failed: 1, FailedClose: 1}
	if c != want {
		t.Errorf("counts %+v, want %+v", c, want)
	}
}
