package slurm

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/backend/backendtest"
	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/store"
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
	args := strings.Join(b.SbatchArgs(task, 4, "/j"), " ")
	for _, want := range []string{"--job-name lockstep-train ", "--array 0-3", "--cpus-per-task 3", "--mem 3073M", "--gres gpu:a100:2", "--time 3",
		"--partition gpu", "--account ml", "--qos high", "--export ALL", "--output /j/%a.out", "--error /j/%a.err"} {
		if !strings.Contains(args, want) {
			t.Errorf("sbatch args lack %q: %s", want, args)
		}
	}
	other := backend.Task{Spec: core.DigestOf([]byte("other")), Step: "train[lr=0.2]"}
	script := b.Script([]backend.Task{task, other})
	for _, want := range []string{"0) # train[lr=0.1]\n  exec '/opt/lockstep' 'task' 'exec' '--store' 'file:///shared/h'", "'" + task.Spec.String() + "' ;;",
		"1) # train[lr=0.2]", "'" + other.Spec.String() + "' ;;", "exit 1"} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
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

// TestItemsOfOneShapeShareAJobArray runs four tasks at once: they are
// submitted as one array, each element runs its own task.
func TestItemsOfOneShapeShareAJobArray(t *testing.T) {
	needSlurm(t)
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	code, _ := st.PutJSON(core.NewTree(nil))
	b, err := Open(backend.Config{Exe: lockstepBin, Store: "file://" + dir, Catalog: "sqlite://" + filepath.Join(dir, "catalog.db"),
		Work: filepath.Join(dir, "work"), Environ: []string{"PATH=" + os.Getenv("PATH")}, Settings: map[string]string{"poll": "100ms", "array_window": "300ms"}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	jobs := make([]string, 4)
	for i := range jobs {
		plan, _ := st.PutJSON(map[string]any{"i": i})
		spec, _ := st.PutJSON(&core.TaskSpec{Type: core.TaskSpecType, Run: "arrays", Step: fmt.Sprintf("w[i=%d]", i), Command: "true",
			Code: code, Sandbox: "none", PlanKey: plan, NoCache: true})
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			d, err := b.Exec(context.Background(), backend.Task{Spec: spec, Step: fmt.Sprintf("w[i=%d]", i)}, io.Discard, io.Discard)
			var rec core.TaskRecord
			if err == nil {
				err = st.GetJSON(d, &rec)
			}
			if err != nil {
				t.Errorf("item %d: %v", i, err)
			}
			jobs[i] = rec.Placement["SLURM_ARRAY_JOB_ID"] + " " + rec.Placement["SLURM_ARRAY_TASK_ID"]
		}(i)
	}
	wg.Wait()
	array, _, _ := strings.Cut(jobs[0], " ")
	for i, j := range jobs {
		if j != fmt.Sprintf("%s %d", array, i) {
			t.Errorf("item %d ran as array element %q, want %s %d (all four in one array)", i, j, array, i)
		}
	}
}
