package suite

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadSpec reads configuration files in the original's formats.
func TestLoadSpec(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, json string
		want       Spec
	}{
		{"fuzzingclient", `{
   "options": {"failByDrop": false},
   "outdir": "./reports/servers",
   "servers": [{"agent": "AutobahnServer", "url": "ws://localhost:9001", "options": {"version": 18}}],
   "cases": ["*"],
   "exclude-cases": ["9.*"],
   "exclude-agent-cases": {"Auto*": ["12.*"]}
}`, Spec{
			Outdir:            "./reports/servers",
			Servers:           []Target{{Agent: "AutobahnServer", URL: "ws://localhost:9001"}},
			Cases:             []string{"*"},
			ExcludeCases:      []string{"9.*"},
			ExcludeAgentCases: AgentExclusions{"Auto*": {"12.*"}},
		}},
		{"fuzzingserver without cases", `{"url": "ws://127.0.0.1:9001", "outdir": "./reports/clients", "webport": 8080}`,
			Spec{URL: "ws://127.0.0.1:9001", Outdir: "./reports/clients", Cases: []string{"*"}}},
	} {
		path := filepath.Join(dir, tc.name+".json")
		if err := os.WriteFile(path, []byte(tc.json), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := LoadSpec(path)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(&tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"cases": "*"}`), 0o644)
	if _, err := LoadSpec(bad); err == nil {
		t.Error("a spec whose cases are not a list: no error")
	}
}
