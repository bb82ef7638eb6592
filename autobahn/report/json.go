package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/rfc6455/ws/autobahn/suite"
)

// FileName is the name of the report of a case for an agent, as the
// original makes it: the agent in lower case with every character other
// than a letter or digit made an underscore (none at the ends), "_case_",
// the id with underscores for dots, and the extension.
func FileName(agent, id, ext string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(agent)) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte(' ')
		}
	}
	clean := strings.ReplaceAll(strings.TrimSpace(b.String()), " ", "_")
	return clean + "_case_" + strings.ReplaceAll(id, ".", "_") + "." + ext
}

// IndexEntry is one case of one agent in index.json.
type IndexEntry struct {
	Behavior        suite.Behavior `json:"behavior"`
	BehaviorClose   suite.Behavior `json:"behaviorClose"`
	Duration        int64          `json:"duration"`
	RemoteCloseCode *int           `json:"remoteCloseCode"`
	ReportFile      string         `json:"reportfile"`
}

// Index is the content of index.json: agent, then case id.
type Index map[string]map[string]IndexEntry

// NewIndex indexes results.
func NewIndex(results map[string][]*suite.Result) Index {
	idx := Index{}
	for agent, rs := range results {
		m := map[string]IndexEntry{}
		for _, r := range rs {
			m[r.ID] = IndexEntry{
				Behavior:        r.Behavior,
				BehaviorClose:   r.BehaviorClose,
				Duration:        r.Duration,
				RemoteCloseCode: r.RemoteCloseCode,
				ReportFile:      FileName(agent, r.ID, "json"),
			}
		}
		idx[agent] = m
	}
	return idx
}

// marshal writes v as the original does: keys sorted, indented by three
// spaces. HTML characters are not escaped.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "   ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeJSON writes index.json and the JSON report of every case.
func writeJSON(dir string, results map[string][]*suite.Result) error {
	b, err := marshal(NewIndex(results))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "index.json"), b, 0o644); err != nil {
		return err
	}
	for agent, rs := range results {
		for _, r := range rs {
			b, err := marshal(r)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, FileName(agent, r.ID, "json")), b, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// Write writes every report of results (by agent) into dir, creating it.
// title heads the HTML index.
func Write(dir, title string, results map[string][]*suite.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeJSON(dir, results); err != nil {
		return err
	}
	return writeHTML(dir, title, results)
}
