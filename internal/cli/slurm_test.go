package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

// TestRunOnSlurm runs a flow with a foreach step on the real Slurm
// cluster: every task is a job, the joined output is right, and each
// task's record says which job ran it.
func TestRunOnSlurm(t *testing.T) {
	if out, err := exec.Command("sinfo", "-h", "-o", "%t").Output(); err != nil || len(strings.TrimSpace(string(out))) == 0 {
		t.Skipf("no Slurm cluster here (sinfo: %v); CI starts one with scripts/slurm-up.sh", err)
	}
	p := newProject(t, sweepCLIFlow, nil)
	p.mustRun(0, "init")
	cfg := "backend: slurm\nbackends:\n  slurm: {poll: 100ms, slots: 4}\n"
	if err := os.WriteFile(filepath.Join(p.dir, ".lockstep", "config.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	r := p.mustRun(0, "run")
	if !strings.Contains(r.stdout, "pick.best") {
		t.Fatalf("run on slurm:\n%s\n%s", r.stdout, r.stderr)
	}
	dest := filepath.Join(t.TempDir(), "best.txt")
	p.mustRun(0, "get", "last", "pick.best", dest)
	if b, _ := os.ReadFile(dest); string(b) != "lr=0.1 layers=1\nlr=0.1 layers=2\nlr=0.01 layers=1\nlr=0.01 layers=2\n" {
		t.Errorf("output of the run on slurm: %q", b)
	}
	var show struct {
		Tasks map[string]core.TaskRecord
	}
	p.jsonOf(&show, "show", "last")
	for name, task := range show.Tasks {
		if len(task.Items) > 0 { // the foreach step itself ran nowhere
			continue
		}
		if task.Placement["SLURM_JOB_ID"] == "" || task.Placement["SLURM_CLUSTER_NAME"] == "" {
			t.Errorf("task %s records no Slurm job: placement %v", name, task.Placement)
		}
	}
	// --on local overrides config.yaml.
	r = p.mustRun(0, "run", "--on", "local", "--force", "pick")
	p.jsonOf(&show, "show", "last")
	if show.Tasks["pick"].Placement["SLURM_JOB_ID"] != "" {
		t.Errorf("a task run --on local records a Slurm job: %v", show.Tasks["pick"].Placement)
	}
}
