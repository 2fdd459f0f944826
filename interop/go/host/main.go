// Command gohost is a Go go-plugin (1.0.1) host for interop tests: it starts
// any JobService plugin (Go or Java), calls Evaluate once and Execute per
// subject, and prints one JSON line per result on stdout (stdout carries only
// these lines; go-plugin's own log goes to stderr).
//
//	gohost [-automtls] [-config k=v]... [-calls N [-concurrency C]] -- CMD ARGS...
//
// -automtls sets go-plugin's ClientConfig.AutoMTLS (also GOHOST_AUTOMTLS=1).
//
// Exit status 0 iff every call succeeded and the plugin exited on Kill.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	hclog "github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "arinterop/proto"
)

var handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "AR_PLUGIN",
	MagicCookieValue: "048cc450-6be2-4fa2-b760-8d4d0b63b534",
}

// jobPlugin is the client half: dispensing it yields a pb.JobServiceClient.
type jobPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
}

func (jobPlugin) GRPCServer(*goplugin.GRPCBroker, *grpc.Server) error {
	return fmt.Errorf("gohost is a client only")
}

func (jobPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, c *grpc.ClientConn) (interface{}, error) {
	return pb.NewJobServiceClient(c), nil
}

// configFlag collects repeated -config key=value flags.
type configFlag map[string]string

func (c configFlag) String() string { return fmt.Sprint(map[string]string(c)) }
func (c configFlag) Set(s string) error {
	i := strings.Index(s, "=")
	if i <= 0 {
		return fmt.Errorf("want key=value, got %q", s)
	}
	c[s[:i]] = s[i+1:]
	return nil
}

var out = json.NewEncoder(os.Stdout)

// emit prints one JSON line on stdout.
func emit(v interface{}) { _ = out.Encode(v) }

func main() {
	config := configFlag{}
	flag.Var(config, "config", "configuration entry key=value (repeatable)")
	autoMTLS := flag.Bool("automtls", os.Getenv("GOHOST_AUTOMTLS") == "1", "go-plugin AutoMTLS: one-shot certificates, TLS both ways")
	calls := flag.Int("calls", 0, "extra Execute calls on the first subject, for a benchmark")
	warmup := flag.Int("warmup", 0, "unmeasured Execute calls before the benchmark (a JVM plugin needs its JIT warm)")
	concurrencyList := flag.String("concurrency", "1", "concurrent callers for -calls; a comma-separated list runs one round each")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: gohost [-automtls] [-config k=v]... [-calls N [-warmup W] [-concurrency C[,C...]]] -- CMD ARGS...")
		flag.PrintDefaults()
	}
	flag.Parse()
	var concurrency []int
	for _, c := range strings.Split(*concurrencyList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			flag.Usage()
			os.Exit(2)
		}
		concurrency = append(concurrency, n)
	}
	if flag.NArg() < 1 {
		flag.Usage()
		os.Exit(2)
	}
	os.Exit(run(config, benchPlan{*calls, *warmup, concurrency}, *autoMTLS, flag.Args()))
}

// benchPlan: after the functional calls, warm up, then one measured round per concurrency.
type benchPlan struct {
	calls, warmup int
	concurrency   []int
}

func run(config map[string]string, plan benchPlan, autoMTLS bool, cmd []string) int {
	logger := hclog.New(&hclog.LoggerOptions{Name: "gohost", Level: hclog.Debug, Output: os.Stderr})
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  handshake,
		Plugins:          goplugin.PluginSet{"plugin": jobPlugin{}},
		Cmd:              exec.Command(cmd[0], cmd[1:]...),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		StartTimeout:     30 * time.Second,
		AutoMTLS:         autoMTLS,
		Logger:           logger,
		// Only used for net/rpc in go-plugin 1.0.1 (no gRPC stdio stream
		// yet); set anyway so plugin output can never reach our stdout.
		SyncStdout: os.Stderr,
		SyncStderr: os.Stderr,
	})
	ok := exercise(client, config, plan)

	start := time.Now()
	client.Kill() // Controller.Shutdown, wait up to 2 s, then SIGKILL
	exited := client.Exited()
	emit(map[string]interface{}{"killMillis": time.Since(start).Milliseconds(), "exited": exited})
	if ok && exited {
		return 0
	}
	return 1
}

type result struct {
	SubjectID        string            `json:"subjectId"`
	Status           string            `json:"status"`
	Observations     int               `json:"observations"`
	ObservationProps map[string]string `json:"observationProps"`
	Error            string            `json:"error"`
}

// exercise starts and dispenses the plugin, then runs Evaluate, one Execute
// per subject and the optional benchmark. A failure before any Execute is
// reported as {"stage":...,"error":...}.
func exercise(client *goplugin.Client, config map[string]string, plan benchPlan) bool {
	rpc, err := client.Client()
	if err != nil {
		emit(map[string]string{"stage": "start", "error": err.Error()})
		return false
	}
	raw, err := rpc.Dispense("plugin")
	if err != nil {
		emit(map[string]string{"stage": "dispense", "error": err.Error()})
		return false
	}
	job := raw.(pb.JobServiceClient)

	ctx := context.Background()
	eval, err := job.Evaluate(ctx, &pb.EvaluateInput{Plan: &pb.Plan{}, Configuration: config})
	if err != nil {
		emit(map[string]string{"stage": "evaluate", "error": err.Error()})
		return false
	}

	ok := true
	execute := func(s *pb.Subject) (*pb.ExecuteResult, error) {
		return job.Execute(ctx, &pb.ExecuteInput{
			Plan: &pb.Plan{}, Subject: s, Props: eval.GetProps(), Configuration: config})
	}
	for _, s := range eval.GetSubjects() {
		r := result{SubjectID: s.GetId(), Status: "FAILURE", ObservationProps: map[string]string{}}
		res, err := execute(s)
		if err != nil {
			r.Error = err.Error()
		} else {
			r.Status = res.GetStatus().String()
			r.Observations = len(res.GetObservations())
			for _, o := range res.GetObservations() {
				for _, p := range o.GetProps() {
					r.ObservationProps[p.GetName()] = p.GetValue()
				}
			}
		}
		ok = ok && r.Status == "SUCCESS"
		emit(r)
	}

	if plan.calls > 0 && len(eval.GetSubjects()) > 0 {
		call := func() error { _, err := execute(eval.GetSubjects()[0]); return err }
		for i := 0; i < plan.warmup; i++ {
			_ = call()
		}
		for _, c := range plan.concurrency {
			ok = bench(call, plan.calls, c) && ok
		}
	}
	return ok
}

// bench runs call `calls` times from `concurrency` goroutines and reports
// latency percentiles and throughput.
func bench(call func() error, calls, concurrency int) bool {
	jobs := make(chan struct{}, calls)
	for i := 0; i < calls; i++ {
		jobs <- struct{}{}
	}
	close(jobs)

	var mu sync.Mutex
	var wg sync.WaitGroup
	lat := make([]time.Duration, 0, calls)
	errors := 0
	start := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				t := time.Now()
				err := call()
				d := time.Since(t)
				mu.Lock()
				lat = append(lat, d)
				if err != nil {
					errors++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) int64 { return lat[int(p*float64(len(lat)-1))].Microseconds() }
	emit(map[string]interface{}{
		"benchCalls":  calls,
		"concurrency": concurrency,
		"errors":      errors,
		"p50us":       pct(0.50),
		"p99us":       pct(0.99),
		"callsPerSec": float64(calls) / elapsed.Seconds(),
	})
	return errors == 0
}
