package task

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

func validSpec() core.TaskSpec {
	return core.TaskSpec{Type: core.TaskSpecType, Step: "train", Command: "python3 train.py", Code: core.DigestOf([]byte("code")),
		Inputs:  map[string]core.Artifact{"data": {Digest: core.DigestOf([]byte("d")), Kind: core.KindFile}},
		Outputs: []core.TaskOutput{{Name: "model", Path: "model", Kind: "dir"}}, Sandbox: "bubblewrap"}
}

func TestContractEnvironment(t *testing.T) {
	root := t.TempDir()
	dirs := workDirs{root: root, out: filepath.Join(root, "out"), tmp: filepath.Join(root, "tmp"),
		home: filepath.Join(root, "home"), metrics: filepath.Join(root, "m.json")}
	s := validSpec()
	s.Seed = 4294967296 + 7
	s.Params = map[string]any{"lr": 0.5, "name": "x"}
	s.Env = []string{"MY_TOKEN"}
	environ := []string{"PATH=/usr/bin", "LANG=C.UTF-8", "MY_TOKEN=secret", "AWS_SECRET_ACCESS_KEY=leak", "HOME=/root"}
	env, recorded, err := contractEnv(&s, environ, dirs, map[string]string{"data": "/in/data/x.csv"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		got[k] = v
	}
	want := map[string]string{
		"LOCKSTEP_INPUT_DATA": "/in/data/x.csv", "LOCKSTEP_OUTPUT_DIR": dirs.out, "LOCKSTEP_SEED": "4294967303",
		"PYTHONHASHSEED": "7", "LOCKSTEP_PARAM_LR": "0.5", "LOCKSTEP_PARAM_NAME": "x", "HOME": dirs.home,
		"TMPDIR": dirs.tmp, "LOCKSTEP_METRICS": dirs.metrics, "MY_TOKEN": "secret", "LANG": "C.UTF-8",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if _, leaked := got["AWS_SECRET_ACCESS_KEY"]; leaked {
		t.Error("a variable that is neither allowlisted nor named in env: reached the step")
	}
	if _, ok := recorded["HOME"]; ok {
		t.Error("the per-task HOME is part of the recorded environment")
	}
	b, err := os.ReadFile(got["LOCKSTEP_PARAMS"])
	if err != nil || !strings.Contains(string(b), `"lr": 0.5`) {
		t.Errorf("params file: %s %v", b, err)
	}
}

func TestInputPathKeepsTheFileName(t *testing.T) {
	dirs := workDirs{inputs: "/w/inputs"}
	if got := inputPath(dirs, "raw", core.Artifact{Kind: core.KindFile, File: "iris.csv"}); got != "/w/inputs/raw/iris.csv" {
		t.Errorf("file input at %s", got)
	}
	if got := inputPath(dirs, "raw", core.Artifact{Kind: core.KindFile, File: "../../etc/passwd"}); got != "/w/inputs/raw/data" {
		t.Errorf("a hostile file name was used: %s", got)
	}
	if got := inputPath(dirs, "images", core.Artifact{Kind: core.KindTree}); got != "/w/inputs/images" {
		t.Errorf("tree input at %s", got)
	}
}

func TestArchiveDirsLeavesOutTheSystemAndNesting(t *testing.T) {
	got := archiveDirs([]string{"/root/.pyenv/versions/3.11.7"}, []string{"/opt/tools", "/usr/local/lib"}, nil)
	want := []string{"/opt/tools", "/root/.pyenv/versions/3.11.7"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("archiveDirs = %v, want %v", got, want)
	}
}
