// Command goplugin is a Go go-plugin (1.0.1) plugin serving plugin.JobService,
// modelled on the original runtime's "busy" plugin. Java interop tests run it
// under the Java host. Configuration keys switch Execute's behaviour:
//
//	sleep_ms=N   sleep N ms first (cancelled if the call is)
//	panic=true   crash the process (grpc-go does not recover handler panics)
//	fail=true    return a gRPC error, codes.Internal "requested failure"
//
// Init and Shutdown are deliberately left UNIMPLEMENTED, like old Go plugins.
package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	hclog "github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "arinterop/proto"
)

var handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "AR_PLUGIN",
	MagicCookieValue: "048cc450-6be2-4fa2-b760-8d4d0b63b534",
}

type jobServer struct {
	// Provides Init and Shutdown answering codes.Unimplemented.
	pb.UnimplementedJobServiceServer
	log hclog.Logger
}

func (s *jobServer) Evaluate(ctx context.Context, in *pb.EvaluateInput) (*pb.EvaluateResult, error) {
	res := &pb.EvaluateResult{Props: map[string]string{"namespace": "busy", "implementation": "go"}}
	for i := 0; i < 3; i++ {
		res.Subjects = append(res.Subjects, &pb.Subject{
			Id:    fmt.Sprintf("busy-vm-%d", i),
			Title: fmt.Sprintf("Busy Virtual Machine %d", i),
			Type:  pb.SubjectType_INVENTORY_ITEM,
			Props: map[string]string{"id": strconv.Itoa(i)},
		})
	}
	return res, nil
}

func (s *jobServer) Execute(ctx context.Context, in *pb.ExecuteInput) (*pb.ExecuteResult, error) {
	cfg := in.GetConfiguration()
	subject := in.GetSubject()
	s.log.Debug("execute", "subject", subject.GetId(), "config_keys", len(cfg))

	if v, ok := cfg["sleep_ms"]; ok {
		ms, err := strconv.Atoi(v)
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "sleep_ms: %v", err)
		}
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
	}
	if cfg["panic"] == "true" {
		panic("requested panic in Execute for " + subject.GetId())
	}
	if cfg["fail"] == "true" {
		return nil, status.Error(codes.Internal, "requested failure")
	}

	// Props: configuration first, then the Evaluate props; each sorted by key
	// so the output is deterministic.
	var props []*pb.Property
	for _, m := range []map[string]string{cfg, in.GetProps()} {
		for _, k := range sortedKeys(m) {
			props = append(props, &pb.Property{Name: k, Value: m[k]})
		}
	}
	now := time.Now().UTC().Format(time.RFC3339)
	return &pb.ExecuteResult{
		Status: pb.ExecutionStatus_SUCCESS,
		Observations: []*pb.Observation{{
			Id:        newID(),
			SubjectId: subject.GetId(),
			Title:     "Busy check of " + subject.GetTitle(),
			Collected: now,
			Props:     props,
		}},
		Logs: []*pb.LogEntry{{
			Title:       "busy check done",
			Description: "goplugin assessed " + subject.GetId(),
			Start:       now,
			End:         time.Now().UTC().Format(time.RFC3339),
		}},
	}, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// newID returns a random (version 4) UUID.
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// jobPlugin adapts jobServer to go-plugin's GRPCPlugin interface. Embedding
// NetRPCUnsupportedPlugin supplies the net/rpc half of goplugin.Plugin.
type jobPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	impl *jobServer
}

func (p *jobPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterJobServiceServer(s, p.impl)
	return nil
}

func (p *jobPlugin) GRPCClient(context.Context, *goplugin.GRPCBroker, *grpc.ClientConn) (interface{}, error) {
	return nil, fmt.Errorf("goplugin is a server only")
}

func main() {
	// hclog JSON on the *original* stderr. goplugin.Serve later swaps os.Stderr
	// for a pipe that go-plugin 1.0.1 never drains in gRPC mode, so nothing may
	// write to os.Stderr/os.Stdout after Serve starts; this logger keeps the
	// *os.File captured here.
	logger := hclog.New(&hclog.LoggerOptions{
		Name:       "goplugin",
		Level:      hclog.Debug,
		Output:     os.Stderr,
		JSONFormat: true,
	})
	// A Go plugin registers under its executable's base name; for gRPC the
	// key never travels on the wire (every plugin in the set is registered).
	name := filepath.Base(os.Args[0])
	// GOPLUGIN_LEGACY_PLAINTEXT=1 plays a plugin built before go-plugin's
	// AutoMTLS (< 1.0): it ignores PLUGIN_CLIENT_CERT, serves plaintext and
	// returns no certificate in handshake field 6.
	if os.Getenv("GOPLUGIN_LEGACY_PLAINTEXT") == "1" {
		os.Unsetenv("PLUGIN_CLIENT_CERT")
	}
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: handshake,
		Plugins:         goplugin.PluginSet{name: &jobPlugin{impl: &jobServer{log: logger}}},
		GRPCServer:      goplugin.DefaultGRPCServer,
		Logger:          logger,
	})
}
