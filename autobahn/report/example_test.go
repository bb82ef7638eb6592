package report_test

import (
	"fmt"
	"log"
	"os"

	"github.com/rfc6455/ws/autobahn/report"
	"github.com/rfc6455/ws/autobahn/suite"
)

// The files of a case's report are named after the agent and the case, as
// the original names them.
func ExampleFileName() {
	fmt.Println(report.FileName("AutobahnPython/0.6.0", "12.1.10", "json"))
	// Output: autobahnpython_0_6_0_case_12_1_10.json
}

// Writing the reports of a run.
func ExampleWrite() {
	dir, err := os.MkdirTemp("", "reports")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	results := map[string][]*suite.Result{"server": {{Agent: "server", ID: "1.1.1", Behavior: suite.OK, BehaviorClose: suite.OK}}}
	if err := report.Write(dir, "Servers", results); err != nil {
		log.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	// Output:
	// index.html
	// index.json
	// server_case_1_1_1.html
	// server_case_1_1_1.json
}
