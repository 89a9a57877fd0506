package slurm

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/backend/backendtest"
	"lockstep.dev/lockstep/internal/core"
)

// lockstepBin is the binary the jobs run as `lockstep task exec`.
var lockstepBin string

func TestMain(m *testing.M) { backendtest.Main(m, &lockstepBin) }

// needSlurm skips when this machine has no Slurm cluster to submit to;
// CI starts one (scripts/slurm-up.sh), so there the tests run.
func needSlurm(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("sbatch"); err != nil {
		t.Skip("Slurm is not installed here (Debian slurm-wlm and munge; scripts/slurm-up.sh starts a one-node cluster)")
	}
	if out, err := exec.Command("sinfo", "-h", "-o", "%t").Output(); err != nil || !strings.Contains(string(out), "idle") && !strings.Contains(string(out), "mix") && !strings.Contains(string(out), "alloc") {
		t.Skipf("no Slurm node is up (sinfo: %q, %v); start one with scripts/slurm-up.sh", out, err)
	}
}

func TestContract(t *testing.T) {
	needSlurm(t)
	backendtest.Run(t, backendtest.Suite{
		Exe: lockstepBin,
		Open: func(t *testing.T, cfg backend.Config) backend.Backend {
			cfg.Settings = map[string]string{"poll": "100ms"}
			b, err := Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return b
		},
	})
}

func TestSbatchArgsCarryTheResources(t *testing.T) {
	b := &Backend{cfg: backend.Config{Exe: "/opt/lockstep", Store: "file:///shared/h", Catalog: "sqlite:///shared/h/catalog.db", Work: "/shared/h/work"},
		partition: "gpu", account: "ml", qos: "high"}
	task := backend.Task{Spec: core.DigestOf([]byte("spec")), Step: "train[lr=0.1]",
		Resources: core.Resources{CPUs: 2.5, MemoryBytes: 3<<30 + 1, GPUs: 2, GPUType: "a100", TimeSeconds: 90}}
	args := strings.Join(b.SbatchArgs(task, "/o", "/e"), " ")
	for _, want := range []string{"--job-name lockstep-train[lr=0.1]", "--cpus-per-task 3", "--mem 3073M", "--gres gpu:a100:2", "--time 3",
		"--partition gpu", "--account ml", "--qos high", "--export ALL", "--output /o", "--error /e"} {
		if !strings.Contains(args, want) {
			t.Errorf("sbatch args lack %q: %s", want, args)
		}
	}
	script := b.Script(task)
	if !strings.Contains(script, "exec '/opt/lockstep' 'task' 'exec' '--store' 'file:///shared/h'") || !strings.Contains(script, "'"+task.Spec.String()+"'") {
		t.Errorf("script:\n%s", script)
	}
}

func TestParseSinfoTakesTheLargestNode(t *testing.T) {
	c, err := ParseSinfo([]byte("4|16000|(null)\n64|512000|gpu:a100:4(S:0-1),gpu:h100:2\n8+|32000+|gpu:2\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := backend.Capacity{CPUs: 64, MemoryBytes: 512000 << 20, GPUs: 6, GPUTypes: []string{"a100", "h100"}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("capacity %+v, want %+v", c, want)
	}
	if _, err := ParseSinfo([]byte("\n")); err == nil || !strings.Contains(err.Error(), "no nodes") {
		t.Errorf("no nodes: %v", err)
	}
}

func TestOpenRefusesUnknownSettings(t *testing.T) {
	_, err := Open(backend.Config{Exe: "x", Store: "file:///s", Catalog: "sqlite:///c", Work: "/w", Settings: map[string]string{"partiton": "gpu"}})
	if err == nil || !strings.Contains(err.Error(), `unknown setting "partiton"`) || !strings.Contains(err.Error(), "partition") {
		t.Errorf("a misspelt setting: %v", err)
	}
	_, err = Open(backend.Config{Exe: "x", Store: "file:///s", Catalog: "sqlite:///c", Work: "/w", Settings: map[string]string{"slots": "0"}})
	if err == nil || !strings.Contains(err.Error(), "positive integer") {
		t.Errorf("slots 0: %v", err)
	}
}

func TestJobState(t *testing.T) {
	if s := JobState([]byte("JobId=7 JobName=x UserId=root(0) JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15\n")); s != "TIMEOUT" || !terminal(s) || terminal("RUNNING") {
		t.Errorf("state %q", s)
	}
}
