// Command porcupine-bench times Porcupine (github.com/anishathalye/porcupine) on Porcupine's own
// test histories, one process, the way quorumlab's checker is timed on them: for every history,
// read and parse the file, then run the verbose check (the variant that also computes the partial
// linearizations used to explain a failure). It prints, tab-separated, one line per history
//
//	name  verdict  microseconds
//
// with the median over -repeat runs, then "TOTAL  -  microseconds", the median over the runs of
// the sum of the per-history times. Verdicts are valid / invalid / unknown.
//
// The models and the log parsers follow porcupine_test.go (etcdModel and parseJepsenLog for
// test_data/jepsen/etcd_NNN.log, kvModel and parseKvLog for test_data/kv/*.txt); the histories are
// Event histories there, so the check is CheckEventsVerbose, which runs the same search as
// CheckOperationsVerbose with partial linearizations on (computeInfo = true).
//
// Usage: porcupine-bench [-repeat 5] [-verbose=false] [-timeout 60s] DIR_OR_FILE...   (a directory: its *.log and
// *.txt files). -verbose=false times the verdict alone (CheckEventsTimeout, no partial
// linearizations), for reference. -timeout is Porcupine's own timeout argument: a history that
// reaches it gets "+timeout" after its verdict ("unknown+timeout" unless a partition had already
// failed), and its time is a lower bound.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// ---- etcd (cas register), as etcdModel in porcupine_test.go ----

type etcdInput struct {
	op   uint8 // 0 => read, 1 => write, 2 => cas
	arg1 int   // write value, or cas from
	arg2 int   // cas to
}

type etcdOutput struct {
	ok      bool // cas
	exists  bool // read
	value   int  // read
	unknown bool // timed out
}

var etcdModel = porcupine.Model{
	Init: func() interface{} { return -1000000 }, // -1000000 stands for nil
	Step: func(state, input, output interface{}) (bool, interface{}) {
		st := state.(int)
		inp := input.(etcdInput)
		out := output.(etcdOutput)
		switch inp.op {
		case 0:
			ok := (!out.exists && st == -1000000) || (out.exists && st == out.value) || out.unknown
			return ok, state
		case 1:
			return true, inp.arg1
		default:
			ok := (inp.arg1 == st && out.ok) || (inp.arg1 != st && !out.ok) || out.unknown
			next := st
			if inp.arg1 == st {
				next = inp.arg2
			}
			return ok, next
		}
	},
}

var (
	invokeRead  = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:invoke\s+:read\s+nil$`)
	invokeWrite = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:invoke\s+:write\s+(\d+)$`)
	invokeCas   = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:invoke\s+:cas\s+\[(\d+)\s+(\d+)\]$`)
	returnRead  = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:ok\s+:read\s+(nil|\d+)$`)
	returnWrite = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:ok\s+:write\s+(\d+)$`)
	returnCas   = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(ok|fail)\s+:cas\s+\[(\d+)\s+(\d+)\]$`)
	timeoutRead = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:fail\s+:read\s+:timed-out$`)
)

// events accumulates calls and returns, matching a return to its process's open call.
type events struct {
	list []porcupine.Event
	open map[int]int // process -> id of its open call
	next int
}

func newEvents() *events { return &events{open: map[int]int{}} }

func (e *events) call(proc int, v interface{}) {
	e.list = append(e.list, porcupine.Event{ClientId: proc, Kind: porcupine.CallEvent, Value: v, Id: e.next})
	e.open[proc] = e.next
	e.next++
}

func (e *events) ret(proc int, v interface{}) {
	id := e.open[proc]
	delete(e.open, proc)
	e.list = append(e.list, porcupine.Event{ClientId: proc, Kind: porcupine.ReturnEvent, Value: v, Id: id})
}

// close returns every still-open call with `v` (porcupine_test.go does the same, in map order).
func (e *events) close(v interface{}) []porcupine.Event {
	for proc, id := range e.open {
		e.list = append(e.list, porcupine.Event{ClientId: proc, Kind: porcupine.ReturnEvent, Value: v, Id: id})
	}
	return e.list
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func lines(path string, each func(string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		each(sc.Text())
	}
	return sc.Err()
}

func parseJepsenLog(path string) ([]porcupine.Event, error) {
	e := newEvents()
	err := lines(path, func(line string) {
		switch {
		case invokeRead.MatchString(line):
			a := invokeRead.FindStringSubmatch(line)
			e.call(atoi(a[1]), etcdInput{op: 0})
		case invokeWrite.MatchString(line):
			a := invokeWrite.FindStringSubmatch(line)
			e.call(atoi(a[1]), etcdInput{op: 1, arg1: atoi(a[2])})
		case invokeCas.MatchString(line):
			a := invokeCas.FindStringSubmatch(line)
			e.call(atoi(a[1]), etcdInput{op: 2, arg1: atoi(a[2]), arg2: atoi(a[3])})
		case returnRead.MatchString(line):
			a := returnRead.FindStringSubmatch(line)
			out := etcdOutput{}
			if a[2] != "nil" {
				out = etcdOutput{exists: true, value: atoi(a[2])}
			}
			e.ret(atoi(a[1]), out)
		case returnWrite.MatchString(line):
			a := returnWrite.FindStringSubmatch(line)
			e.ret(atoi(a[1]), etcdOutput{})
		case returnCas.MatchString(line):
			a := returnCas.FindStringSubmatch(line)
			e.ret(atoi(a[1]), etcdOutput{ok: a[2] == "ok"})
		case timeoutRead.MatchString(line):
			a := timeoutRead.FindStringSubmatch(line)
			e.ret(atoi(a[1]), etcdOutput{unknown: true})
		}
	})
	return e.close(etcdOutput{unknown: true}), err
}

// ---- kv (get / put / append, partitioned by key), as kvModel in porcupine_test.go ----

type kvInput struct {
	op    uint8 // 0 => get, 1 => put, 2 => append
	key   string
	value string
}

type kvOutput struct {
	value string
}

var kvModel = porcupine.Model{
	PartitionEvent: func(history []porcupine.Event) [][]porcupine.Event {
		m := map[string][]porcupine.Event{}
		keyOf := map[int]string{} // id -> key
		for _, v := range history {
			if v.Kind == porcupine.CallEvent {
				key := v.Value.(kvInput).key
				m[key] = append(m[key], v)
				keyOf[v.Id] = key
			} else {
				key := keyOf[v.Id]
				m[key] = append(m[key], v)
			}
		}
		var out [][]porcupine.Event
		for _, v := range m {
			out = append(out, v)
		}
		return out
	},
	Init: func() interface{} { return "" }, // one key's value: the history is partitioned by key
	Step: func(state, input, output interface{}) (bool, interface{}) {
		inp := input.(kvInput)
		out := output.(kvOutput)
		st := state.(string)
		switch inp.op {
		case 0:
			return out.value == st, state
		case 1:
			return true, inp.value
		default:
			return true, st + inp.value
		}
	},
}

var (
	invokeGet    = regexp.MustCompile(`{:process (\d+), :type :invoke, :f :get, :key "(.*)", :value nil}`)
	invokePut    = regexp.MustCompile(`{:process (\d+), :type :invoke, :f :put, :key "(.*)", :value "(.*)"}`)
	invokeAppend = regexp.MustCompile(`{:process (\d+), :type :invoke, :f :append, :key "(.*)", :value "(.*)"}`)
	returnGet    = regexp.MustCompile(`{:process (\d+), :type :ok, :f :get, :key ".*", :value "(.*)"}`)
	returnPut    = regexp.MustCompile(`{:process (\d+), :type :ok, :f :put, :key ".*", :value ".*"}`)
	returnAppend = regexp.MustCompile(`{:process (\d+), :type :ok, :f :append, :key ".*", :value ".*"}`)
)

// parseKvLog matches each pattern and then extracts its groups (two regexp passes per matching
// line), exactly as porcupine_test.go does: the time measured is Porcupine's own parse.
func parseKvLog(path string) ([]porcupine.Event, error) {
	e := newEvents()
	err := lines(path, func(line string) {
		switch {
		case invokeGet.MatchString(line):
			a := invokeGet.FindStringSubmatch(line)
			e.call(atoi(a[1]), kvInput{op: 0, key: a[2]})
		case invokePut.MatchString(line):
			a := invokePut.FindStringSubmatch(line)
			e.call(atoi(a[1]), kvInput{op: 1, key: a[2], value: a[3]})
		case invokeAppend.MatchString(line):
			a := invokeAppend.FindStringSubmatch(line)
			e.call(atoi(a[1]), kvInput{op: 2, key: a[2], value: a[3]})
		case returnGet.MatchString(line):
			a := returnGet.FindStringSubmatch(line)
			e.ret(atoi(a[1]), kvOutput{a[2]})
		case returnPut.MatchString(line):
			a := returnPut.FindStringSubmatch(line)
			e.ret(atoi(a[1]), kvOutput{})
		case returnAppend.MatchString(line):
			a := returnAppend.FindStringSubmatch(line)
			e.ret(atoi(a[1]), kvOutput{})
		}
	})
	return e.close(kvOutput{}), err
}

// ---- driver ----

// checkFile parses and checks one history; the verdict and the time both cover parse + check.
func checkFile(path string, verbose bool, timeout time.Duration) (string, time.Duration, error) {
	start := time.Now()
	var (
		evs   []porcupine.Event
		model porcupine.Model
		err   error
	)
	if strings.HasSuffix(path, ".log") {
		evs, err = parseJepsenLog(path)
		model = etcdModel
	} else {
		evs, err = parseKvLog(path)
		model = kvModel
	}
	if err != nil {
		return "", 0, err
	}
	var res porcupine.CheckResult
	if verbose {
		res, _ = porcupine.CheckEventsVerbose(model, evs, timeout)
	} else {
		res = porcupine.CheckEventsTimeout(model, evs, timeout)
	}
	elapsed := time.Since(start)
	verdict := "unknown"
	switch res {
	case porcupine.Ok:
		verdict = "valid"
	case porcupine.Illegal:
		verdict = "invalid"
	}
	return verdict, elapsed, nil
}

func inputs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		for _, pat := range []string{"*.log", "*.txt"} {
			m, _ := filepath.Glob(filepath.Join(a, pat))
			sort.Strings(m)
			out = append(out, m...)
		}
	}
	return out, nil
}

func median(xs []time.Duration) time.Duration {
	s := append([]time.Duration(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func main() {
	repeat := flag.Int("repeat", 5, "runs over all histories; medians are printed")
	timeout := flag.Duration("timeout", 0, "Porcupine's per-history timeout (0: none); reached => unknown")
	verbose := flag.Bool("verbose", true, "CheckEventsVerbose (partial linearizations, for explanations); false: CheckEventsTimeout, the verdict alone")
	flag.Parse()
	files, err := inputs(flag.Args())
	if err != nil || len(files) == 0 {
		fmt.Fprintln(os.Stderr, "usage: porcupine-bench [-repeat N] DIR_OR_FILE...", err)
		os.Exit(2)
	}
	times := make([][]time.Duration, len(files))
	verdicts := make([]string, len(files))
	var totals []time.Duration
	for r := 0; r < *repeat; r++ {
		var total time.Duration
		for i, f := range files {
			v, d, err := checkFile(f, *verbose, *timeout)
			if err != nil {
				fmt.Fprintln(os.Stderr, f, err)
				os.Exit(2)
			}
			if *timeout > 0 && d >= *timeout {
				// The search was cut: the time is a lower bound (the verdict stands when a
				// partition had already failed, else it is "unknown").
				v += "+timeout"
			}
			if r > 0 && v != verdicts[i] {
				fmt.Fprintf(os.Stderr, "%s: verdict changed between runs (%s, %s)\n", f, verdicts[i], v)
			}
			verdicts[i] = v
			times[i] = append(times[i], d)
			total += d
		}
		totals = append(totals, total)
	}
	for i, f := range files {
		fmt.Printf("%s\t%s\t%d\n", filepath.Base(f), verdicts[i], median(times[i]).Microseconds())
	}
	fmt.Printf("TOTAL\t-\t%d\n", median(totals).Microseconds())
}
