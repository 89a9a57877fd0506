package engine

import (
	"strings"
	"testing"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/flow"
	"lockstep.dev/lockstep/internal/store"
)

func TestPlanKeyCoversEverythingThatShapesOutputs(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base := func() *core.TaskSpec {
		return &core.TaskSpec{Command: "python3 train.py", Code: core.DigestOf([]byte("code")), Seed: 1,
			Inputs: map[string]core.Artifact{"data": {Digest: core.DigestOf([]byte("d")), Source: "path:a"}},
			Params: map[string]any{"lr": 0.1}, Sandbox: "bubblewrap", Outputs: []core.TaskOutput{{Name: "m", Path: "m"}}}
	}
	ref, err := planKey(st, base())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := st.GetJSON(ref, &doc); err != nil {
		t.Fatalf("the plan key document is not stored: %v", err)
	}
	if _, ok := doc["environment"]; ok {
		t.Error("the plan key names an environment: only the executor knows it")
	}
	changes := map[string]func(*core.TaskSpec){
		"command": func(s *core.TaskSpec) { s.Command = "python3 train.py --fast" },
		"code":    func(s *core.TaskSpec) { s.Code = core.DigestOf([]byte("other")) },
		"input":   func(s *core.TaskSpec) { s.Inputs["data"] = core.Artifact{Digest: core.DigestOf([]byte("e"))} },
		"param":   func(s *core.TaskSpec) { s.Params["lr"] = 0.2 },
		"seed":    func(s *core.TaskSpec) { s.Seed = 2 },
		"sandbox": func(s *core.TaskSpec) { s.Sandbox = "none" },
		"network": func(s *core.TaskSpec) { s.Network = true },
		"outputs": func(s *core.TaskSpec) { s.Outputs[0].Path = "n" },
	}
	for name, change := range changes {
		s := base()
		change(s)
		k, err := planKey(st, s)
		if err != nil {
			t.Fatal(err)
		}
		if k == ref {
			t.Errorf("changing the %s leaves the plan key unchanged", name)
		}
	}
	// Where an input came from does not matter, only its bytes.
	s := base()
	s.Inputs["data"] = core.Artifact{Digest: s.Inputs["data"].Digest, Source: "step:prep.data"}
	if k, _ := planKey(st, s); k != ref {
		t.Error("the plan key depends on an input's source, not just its digest")
	}
}

func TestSeedPrecedence(t *testing.T) {
	one, two, three := int64(1), int64(2), int64(3)
	if got := chooseSeed(&one, &two, &three); got != 1 {
		t.Errorf("flag: %d", got)
	}
	if got := chooseSeed(nil, &two, &three); got != 3 {
		t.Errorf("resumed run: %d", got)
	}
	if got := chooseSeed(nil, &two, nil); got != 2 {
		t.Errorf("flow: %d", got)
	}
	a, b := chooseSeed(nil, nil, nil), chooseSeed(nil, nil, nil)
	if a < 0 || a >= 1<<31 || (a == b && chooseSeed(nil, nil, nil) == a) {
		t.Errorf("drawn seeds %d %d are not fresh", a, b)
	}
}

func TestUnknownParamIsRefused(t *testing.T) {
	fl, err := flow.Parse("lockstep.yaml", []byte("flow: f\nparams: {lr: 0.1}\nsteps:\n  a:\n    run: 'true'\n    params: {depth: 2}\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := checkParams(fl, map[string]any{"lr": 0.2, "depth": 3}); err != nil {
		t.Errorf("known params refused: %v", err)
	}
	err = checkParams(fl, map[string]any{"epochs": 3})
	if err == nil || !strings.Contains(err.Error(), "depth, lr") {
		t.Errorf("unknown param: %v", err)
	}
}
