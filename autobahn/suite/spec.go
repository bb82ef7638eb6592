package suite

import (
	"encoding/json"
	"fmt"
	"os"
)

// Spec is a configuration file of the original's wstest: fuzzingclient.json
// (Servers) or fuzzingserver.json (URL). Fields it does not use, such as
// "options" and "webport", are ignored.
type Spec struct {
	URL               string          `json:"url"`
	Outdir            string          `json:"outdir"`
	Servers           []Target        `json:"servers"`
	Cases             []string        `json:"cases"`
	ExcludeCases      []string        `json:"exclude-cases"`
	ExcludeAgentCases AgentExclusions `json:"exclude-agent-cases"`
}

// LoadSpec reads a spec file.
func LoadSpec(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Spec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("suite: spec %s: %w", path, err)
	}
	if len(s.Cases) == 0 {
		s.Cases = []string{"*"}
	}
	return &s, nil
}
