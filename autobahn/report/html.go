package report

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rfc6455/ws/autobahn/fuzz"
	"github.com/rfc6455/ws/autobahn/suite"
)

//go:embed templates/*.html
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"trusted": func(s string) template.HTML { return template.HTML(s) },
	"class":   verdictClass,
}).ParseFS(templateFS, "templates/*.html"))

// verdictClass is the CSS class of a verdict.
func verdictClass(b suite.Behavior) string {
	switch b {
	case suite.OK:
		return "ok"
	case suite.NonStrict, suite.WrongCode:
		return "nonstrict"
	case suite.Informational:
		return "info"
	case suite.Unimplemented:
		return "unimpl"
	case suite.FailedByClient:
		return "almost"
	}
	return "failed"
}

// verdictText is how the index shows a behavior.
func verdictText(b suite.Behavior) string {
	switch b {
	case suite.OK:
		return "Pass"
	case suite.NonStrict:
		return "Non-Strict"
	case suite.Informational:
		return "Info"
	case suite.Unimplemented:
		return "Unimplemented"
	}
	return "Fail"
}

// indexPage is what index.html shows.
type indexPage struct {
	Title     string
	Generated string
	Agents    []string
	Colspan   int // of a subgroup header row: the case column and two per agent
	Summary   []summaryRow
	Groups    []groupView
}

type summaryRow struct {
	Group, Title string
	Counts       []Counts // per agent
}

type groupView struct {
	Number, Title string
	Rows          []rowView // subgroup headers and cases, in order
}

type rowView struct {
	Subgroup string // a subgroup header row when not empty
	Case     *suite.Case
	Cells    []cellView // per agent
}

type cellView struct {
	Missing               bool
	Class, Text, Link     string
	Detail                string
	CloseClass, CloseText string
}

// Counts are the verdicts of a set of results.
type Counts struct {
	OK, NonStrict, Informational, Unimplemented, Failed int
	// FailedClose counts results whose behavior passed but whose closing
	// behavior is FAILED or UNCLEAN.
	FailedClose int
}

// Add counts r.
func (c *Counts) Add(r *suite.Result) {
	switch r.Behavior {
	case suite.OK:
		c.OK++
	case suite.NonStrict:
		c.NonStrict++
	case suite.Informational:
		c.Informational++
	case suite.Unimplemented:
		c.Unimplemented++
	default:
		c.Failed++
		return
	}
	if r.Failed() {
		c.FailedClose++
	}
}

func cell(agent string, r *suite.Result) cellView {
	if r == nil {
		return cellView{Missing: true}
	}
	c := cellView{
		Class:      verdictClass(r.Behavior),
		Text:       verdictText(r.Behavior),
		Link:       FileName(agent, r.ID, "html"),
		CloseClass: verdictClass(r.BehaviorClose),
		CloseText:  "Fail",
	}
	switch r.BehaviorClose {
	case suite.Unclean:
		c.CloseText = "Unclean"
	case suite.OK, suite.FailedByClient, suite.WrongCode, suite.Informational:
		c.CloseText = "-"
		if r.RemoteCloseCode != nil {
			c.CloseText = fmt.Sprint(*r.RemoteCloseCode)
		}
	}
	var detail []string
	if r.ReportTime {
		detail = append(detail, fmt.Sprintf("%d ms", r.Duration))
	}
	if r.ReportCompressionRatio && r.TrafficStats != nil {
		detail = append(detail, fmt.Sprintf("[%s/%s]", ratioText(r.TrafficStats.IncomingCompressionRatio()), ratioText(r.TrafficStats.OutgoingCompressionRatio())))
	}
	c.Detail = strings.Join(detail, " ")
	return c
}

func ratioText(r *float64) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%.3f", *r)
}

// agentsOf returns the agents of results, sorted.
func agentsOf(results map[string][]*suite.Result) []string {
	var agents []string
	for a := range results {
		agents = append(agents, a)
	}
	slices.Sort(agents)
	return agents
}

func buildIndex(title string, results map[string][]*suite.Result) indexPage {
	agents := agentsOf(results)
	byID := map[string]map[string]*suite.Result{}
	for _, a := range agents {
		byID[a] = map[string]*suite.Result{}
		for _, r := range results[a] {
			byID[a][r.ID] = r
		}
	}
	page := indexPage{Title: title, Generated: time.Now().UTC().Format(time.RFC3339), Agents: agents, Colspan: 1 + 2*len(agents)}
	var g *groupView
	var sum *summaryRow
	lastSub := ""
	for _, c := range suite.All() {
		present := false
		for _, a := range agents {
			present = present || byID[a][c.ID] != nil
		}
		if !present {
			continue
		}
		num, title := suite.Category(c.ID)
		if g == nil || g.Number != num {
			page.Groups = append(page.Groups, groupView{Number: num, Title: title})
			g = &page.Groups[len(page.Groups)-1]
			page.Summary = append(page.Summary, summaryRow{Group: num, Title: title, Counts: make([]Counts, len(agents))})
			sum = &page.Summary[len(page.Summary)-1]
			lastSub = ""
		}
		if sub, subTitle := suite.Subcategory(c.ID); subTitle != "" && sub != lastSub {
			g.Rows = append(g.Rows, rowView{Subgroup: sub + " " + subTitle})
			lastSub = sub
		}
		row := rowView{Case: c}
		for i, a := range agents {
			r := byID[a][c.ID]
			row.Cells = append(row.Cells, cell(a, r))
			if r != nil {
				sum.Counts[i].Add(r)
			}
		}
		g.Rows = append(g.Rows, row)
	}
	return page
}

// casePage is what a case's page shows.
type casePage struct {
	R                  *suite.Result
	Class              string
	Expected, Received string
	CloseRows          [][2]string
	RxOctets, TxOctets []statRow
	RxFrames, TxFrames []statRow
	Wirelog            []logLine
}

type statRow struct{ Key, Count, Octets int }

type logLine struct{ Class, Text string }

// maxPickle bounds the expected and observed events shown.
const maxPickle = 1000

func limited(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > maxPickle {
		s = s[:maxPickle-4] + " ..."
	}
	return s
}

func statRows(m map[int]int, octets bool) []statRow {
	var rows []statRow
	for k, n := range m {
		row := statRow{Key: k, Count: n}
		if octets {
			row.Octets = k * n
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b statRow) int { return a.Key - b.Key })
	return rows
}

func optional[T any](p *T) string {
	if p == nil {
		return "None"
	}
	return fmt.Sprint(*p)
}

// logLines renders the wire log as the original's report does.
func logLines(r *suite.Result) []logLine {
	var lines []logLine
	for i, e := range r.Wirelog {
		var l logLine
		switch e.Kind {
		case fuzz.KindRxOctets:
			l = logLine{"rx", fmt.Sprintf("%03d RX OCTETS: %s", i, e.Data)}
		case fuzz.KindTxOctets:
			l = logLine{"tx", fmt.Sprintf("%03d TX OCTETS: %s", i, e.Data)}
			if e.Sync {
				l.Class = "txsync"
			}
		case fuzz.KindRxFrame:
			l = logLine{"rxframe", fmt.Sprintf("%03d RX FRAME : OPCODE=%d, FIN=%s, RSV=%d, PAYLOAD-LEN=%d, MASKED=%s, MASK=%s\n      %s",
				i, e.Opcode, pyBool(e.Fin), e.Rsv, e.Len, pyBool(e.Masked), orNone(e.Mask), e.Data)}
		case fuzz.KindTxFrame:
			l = logLine{"txframe", fmt.Sprintf("%03d TX FRAME : OPCODE=%d, FIN=%s, RSV=%d, PAYLOAD-LEN=%d, MASK=%s, PAYLOAD-REPEAT-LEN=%s, CHOPSIZE=%s, SYNC=%s\n      %s",
				i, e.Opcode, pyBool(e.Fin), e.Rsv, e.Len, orNone(e.Mask), optional(e.Repeat), optional(e.ChopSize), pyBool(e.Sync), e.Data)}
			if e.Sync || e.ChopSize != nil {
				l.Class = "txsync"
			}
		case fuzz.KindDelay:
			l = logLine{"delay", fmt.Sprintf("%03d DELAY %f sec for TAG %s", i, e.Delay, orNone(e.Tag))}
		case fuzz.KindDelayFired:
			l = logLine{"delay", fmt.Sprintf("%03d DELAY TIMEOUT on TAG %s", i, orNone(e.Tag))}
		case fuzz.KindKillAfter:
			l = logLine{"kill", fmt.Sprintf("%03d FAIL CONNECTION AFTER %f sec", i, e.Delay)}
		case fuzz.KindKillFired:
			l = logLine{"kill", fmt.Sprintf("%03d FAILING CONNECTION", i)}
		case fuzz.KindCloseAfter:
			l = logLine{"kill", fmt.Sprintf("%03d CLOSE CONNECTION AFTER %f sec", i, e.Delay)}
		case fuzz.KindCloseFired:
			l = logLine{"kill", fmt.Sprintf("%03d CLOSING CONNECTION", i)}
		case fuzz.KindWirelogEnabled:
			l = logLine{"delay", fmt.Sprintf("%03d WIRELOG %s", i, map[bool]string{true: "ENABLED", false: "DISABLED"}[e.Enabled])}
		}
		lines = append(lines, l)
	}
	who := "PEER"
	if r.DroppedByMe {
		who = "ME"
	}
	return append(lines, logLine{"tcp", fmt.Sprintf("%03d TCP DROPPED BY %s", len(r.Wirelog), who)})
}

func orNone(s string) string {
	if s == "" {
		return "None"
	}
	return s
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func buildCase(r *suite.Result) casePage {
	return casePage{
		R:        r,
		Class:    verdictClass(r.Behavior),
		Expected: limited(r.Expected),
		Received: limited(r.Received),
		CloseRows: [][2]string{
			{"isServer", pyBool(r.IsServer)},
			{"closedByMe", pyBool(r.ClosedByMe)},
			{"failedByMe", pyBool(r.FailedByMe)},
			{"droppedByMe", pyBool(r.DroppedByMe)},
			{"wasClean", pyBool(r.WasClean)},
			{"wasNotCleanReason", optional(r.WasNotCleanReason)},
			{"wasServerConnectionDropTimeout", pyBool(r.WasServerConnectionDropTimeout)},
			{"wasOpenHandshakeTimeout", pyBool(r.WasOpenHandshakeTimeout)},
			{"wasCloseHandshakeTimeout", pyBool(r.WasCloseHandshakeTimeout)},
			{"localCloseCode", optional(r.LocalCloseCode)},
			{"localCloseReason", optional(r.LocalCloseReason)},
			{"remoteCloseCode", optional(r.RemoteCloseCode)},
			{"remoteCloseReason", optional(r.RemoteCloseReason)},
		},
		RxOctets: statRows(r.RxOctetStats, true),
		TxOctets: statRows(r.TxOctetStats, true),
		RxFrames: statRows(r.RxFrameStats, false),
		TxFrames: statRows(r.TxFrameStats, false),
		Wirelog:  logLines(r),
	}
}

// writeHTML writes index.html and a page per case.
func writeHTML(dir, title string, results map[string][]*suite.Result) error {
	if err := execute(filepath.Join(dir, "index.html"), "index.html", buildIndex(title, results)); err != nil {
		return err
	}
	for agent, rs := range results {
		for _, r := range rs {
			if err := execute(filepath.Join(dir, FileName(agent, r.ID, "html")), "case.html", buildCase(r)); err != nil {
				return err
			}
		}
	}
	return nil
}

func execute(path, name string, data any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := templates.ExecuteTemplate(f, name, data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
