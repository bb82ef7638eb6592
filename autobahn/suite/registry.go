package suite

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Categories are the titles of the case groups, by group number.
var Categories = map[string]string{
	"1":  "Framing",
	"2":  "Pings/Pongs",
	"3":  "Reserved Bits",
	"4":  "Opcodes",
	"5":  "Fragmentation",
	"6":  "UTF-8 Handling",
	"7":  "Close Handling",
	"9":  "Limits/Performance",
	"10": "Misc",
	"12": "WebSocket Compression (different payloads)",
	"13": "WebSocket Compression (different parameters)",
}

// fixedSubcategories are the subgroup titles the original spells out.
var fixedSubcategories = map[string]string{
	"1.1":  "Text Messages",
	"1.2":  "Binary Messages",
	"4.1":  "Non-control Opcodes",
	"4.2":  "Control Opcodes",
	"6.1":  "Valid UTF-8 with zero payload fragments",
	"6.2":  "Valid UTF-8 unfragmented, fragmented on code-points and within code-points",
	"6.3":  "Invalid UTF-8 differently fragmented",
	"6.4":  "Fail-fast on invalid UTF-8",
	"7.1":  "Basic close behavior (fuzzer initiated)",
	"7.3":  "Close frame structure: payload length (fuzzer initiated)",
	"7.5":  "Close frame structure: payload value (fuzzer initiated)",
	"7.7":  "Close frame structure: valid close codes (fuzzer initiated)",
	"7.9":  "Close frame structure: invalid close codes (fuzzer initiated)",
	"7.13": "Informational close information (fuzzer initiated)",
	"9.1":  "Text Message (increasing size)",
	"9.2":  "Binary Message (increasing size)",
	"9.3":  "Fragmented Text Message (fixed size, increasing fragment size)",
	"9.4":  "Fragmented Binary Message (fixed size, increasing fragment size)",
	"9.5":  "Text Message (fixed size, increasing chop size)",
	"9.6":  "Binary Text Message (fixed size, increasing chop size)",
	"9.7":  "Text Message Roundtrip Time (fixed number, increasing size)",
	"9.8":  "Binary Message Roundtrip Time (fixed number, increasing size)",
	"10.1": "Auto-Fragmentation",
}

// caseRegistry indexes the cases.
type caseRegistry struct {
	all   []*Case
	byID  map[string]*Case
	index map[string]int    // id -> 1-based position in all
	subs  map[string]string // subgroup -> title
}

var registry = sync.OnceValue(func() *caseRegistry {
	var all []*Case
	for _, group := range [][]*Case{
		framingCases(), pingCases(), reservedBitsCases(), opcodeCases(), fragmentationCases(),
		utf8Cases(), utf8VectorCases(), closeCases(), limitsCases(), autoFragmentationCases(),
		compressionCases(),
	} {
		all = append(all, group...)
	}
	r := &caseRegistry{all: all, byID: map[string]*Case{}, index: map[string]int{}, subs: maps.Clone(fixedSubcategories)}
	for i, c := range all {
		if r.byID[c.ID] != nil {
			panic("suite: duplicate case " + c.ID)
		}
		r.byID[c.ID] = c
		r.index[c.ID] = i + 1
	}
	maps.Copy(r.subs, utf8Subcategories())
	maps.Copy(r.subs, compressionSubcategories())
	return r
})

// All returns every case, in the original's order (which is also the
// order of their ids).
func All() []*Case { return registry().all }

// ByID returns the case with the given id, or nil.
func ByID(id string) *Case { return registry().byID[id] }

// Index returns the 1-based position of a case in All, the number the
// original's fuzzing client reports for it.
func Index(id string) int { return registry().index[id] }

// Category returns the group number and title of a case id.
func Category(id string) (string, string) {
	g, _, _ := strings.Cut(id, ".")
	title, ok := Categories[g]
	if !ok {
		title = "Misc"
	}
	return g, title
}

// Subcategory returns the subgroup number ("6.5") and title of a case id;
// the title is empty for the groups that have no subgroups.
func Subcategory(id string) (string, string) {
	parts := strings.SplitN(id, ".", 3)
	if len(parts) < 2 {
		return id, ""
	}
	sub := parts[0] + "." + parts[1]
	return sub, registry().subs[sub]
}

// idTuple parses a case id into its numbers, for ordering.
func idTuple(id string) []int {
	var t []int
	for _, p := range strings.Split(id, ".") {
		n, _ := strconv.Atoi(p)
		t = append(t, n)
	}
	return t
}

// CompareIDs orders case ids numerically, part by part: 2.9 before 2.10.
func CompareIDs(a, b string) int { return slices.Compare(idTuple(a), idTuple(b)) }

// resolve expands patterns into case ids. A pattern with '*' matches the
// ids it matches from their start, '*' standing for any text (so "1.*"
// is group 1 and "9.*" group 9); other patterns are ids.
func resolve(patterns []string) ([]string, error) {
	var ids []string
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !strings.Contains(p, "*") {
			if ByID(p) == nil {
				return nil, fmt.Errorf("suite: no case %q", p)
			}
			ids = append(ids, p)
			continue
		}
		re, err := regexp.Compile("^" + strings.ReplaceAll(regexp.QuoteMeta(p), `\*`, ".*"))
		if err != nil {
			return nil, err
		}
		for _, c := range All() {
			if re.MatchString(c.ID) {
				ids = append(ids, c.ID)
			}
		}
	}
	return ids, nil
}

// Select returns the cases that match patterns and none of exclude, in id
// order, each once: the original's "cases" and "exclude-cases".
func Select(patterns, exclude []string) ([]*Case, error) {
	in, err := resolve(patterns)
	if err != nil {
		return nil, err
	}
	out, err := resolve(exclude)
	if err != nil {
		return nil, err
	}
	skip := map[string]bool{}
	for _, id := range out {
		skip[id] = true
	}
	seen := map[string]bool{}
	var ids []string
	for _, id := range in {
		if !skip[id] && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, CompareIDs)
	cases := make([]*Case, len(ids))
	for i, id := range ids {
		cases[i] = ByID(id)
	}
	return cases, nil
}

// AgentExclusions is the original's "exclude-agent-cases": agent patterns
// mapped to case patterns, both with '*' wildcards, matched whole.
type AgentExclusions map[string][]string

// Excludes reports whether the case is excluded for the agent.
func (e AgentExclusions) Excludes(agent, id string) bool {
	whole := func(pattern, s string) bool {
		re, err := regexp.Compile("^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*") + "$")
		return err == nil && re.MatchString(s)
	}
	for ap, cps := range e {
		if !whole(ap, agent) {
			continue
		}
		for _, cp := range cps {
			if whole(cp, id) {
				return true
			}
		}
	}
	return false
}
