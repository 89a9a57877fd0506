package core

import (
	"strings"
	"testing"
)

func validTaskSpec() TaskSpec {
	return TaskSpec{Type: TaskSpecType, Step: "train", Command: "python3 train.py", Code: DigestOf([]byte("code")), PlanKey: DigestOf([]byte("plan")),
		Inputs:  map[string]Artifact{"data": {Digest: DigestOf([]byte("d")), Kind: KindFile}},
		Outputs: []TaskOutput{{Name: "model", Path: "model", Kind: "dir"}}, Sandbox: "bubblewrap"}
}

func TestSpecValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*TaskSpec)
		want   string
	}{
		{"valid", func(*TaskSpec) {}, ""},
		{"wrong type", func(s *TaskSpec) { s.Type = "x" }, "type"},
		{"no command", func(s *TaskSpec) { s.Command = "" }, "command"},
		{"no plan key", func(s *TaskSpec) { s.PlanKey = "" }, "plan key"},
		{"bad code digest", func(s *TaskSpec) { s.Code = "sha256:00" }, "code digest"},
		{"bad input digest", func(s *TaskSpec) { s.Inputs["data"] = Artifact{Digest: "nope"} }, "input data"},
		{"escaping output", func(s *TaskSpec) { s.Outputs[0].Path = "../etc" }, "output model"},
		{"relative restore", func(s *TaskSpec) { s.Restore = map[string]Digest{"opt/x": DigestOf(nil)} }, "absolute"},
		{"restore unconfined", func(s *TaskSpec) {
			s.Sandbox = "none"
			s.Restore = map[string]Digest{"/opt/x": DigestOf(nil)}
		}, "bubblewrap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validTaskSpec()
			tt.change(&s)
			err := s.Validate()
			if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Validate() = %v, want error containing %q", err, tt.want)
			}
		})
	}
}
