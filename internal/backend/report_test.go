package backend

import (
	"bytes"
	"errors"
	"testing"

	"lockstep.dev/lockstep/internal/core"
)

// The report comes back whole however the executor's stdout is cut into
// writes, and the step's own output, including lines that look like a
// report, reaches the log unchanged.
func TestReportRoundTrip(t *testing.T) {
	rec := core.DigestOf([]byte("record"))
	steps := []string{
		"",
		"hello\n",
		"no newline at the end",
		"lockstep-task-record: sha256:0000\nafter a fake report\n",
		"lock\nlockstep-task-rec",
		ReportPrefix + core.DigestOf([]byte("fake")).String() + "\n",
	}
	for _, step := range steps {
		var stdout bytes.Buffer
		out := NewReporter(&stdout)
		if _, err := out.Write([]byte(step)); err != nil {
			t.Fatal(err)
		}
		if err := out.Report(rec); err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{1, 3, 7, 1 << 20} {
			var log bytes.Buffer
			in := NewReportReader(&log)
			b := stdout.Bytes()
			for len(b) > 0 {
				n := min(size, len(b))
				if _, err := in.Write(b[:n]); err != nil {
					t.Fatal(err)
				}
				b = b[n:]
			}
			got, err := in.Record()
			if err != nil || got != rec {
				t.Errorf("step output %q in writes of %d: record %s, %v; want %s", step, size, got, err, rec)
			}
			want := step
			if len(step) > 0 && step[len(step)-1] != '\n' {
				want += "\n"
			}
			if log.String() != want {
				t.Errorf("step output %q in writes of %d: log %q, want %q", step, size, log.String(), want)
			}
		}
	}
}

// An executor that died before reporting leaves no record, and what it
// held back still reaches the log.
func TestReportMissing(t *testing.T) {
	for _, stdout := range []string{"", "done\n", "lockstep-task-rec", ReportPrefix + "sha256:zz\n"} {
		var log bytes.Buffer
		in := NewReportReader(&log)
		_, _ = in.Write([]byte(stdout))
		if _, err := in.Record(); !errors.Is(err, ErrNoReport) {
			t.Errorf("stdout %q: err %v, want ErrNoReport", stdout, err)
		}
		if stdout != ReportPrefix+"sha256:zz\n" && log.String() != stdout {
			t.Errorf("stdout %q: log %q", stdout, log.String())
		}
	}
}

func TestCapacityCheck(t *testing.T) {
	c := Capacity{CPUs: 4, MemoryBytes: 8 << 30, GPUs: 1, GPUTypes: []string{"NVIDIA A100-SXM4-40GB"}}
	ok := []core.Resources{{}, {CPUs: 4, MemoryBytes: 8 << 30, GPUs: 1}, {GPUs: 1, GPUType: "a100"}, {TimeSeconds: 1 << 40}}
	for _, r := range ok {
		if err := c.Check("test", Task{Step: "s", Resources: r}); err != nil {
			t.Errorf("%+v refused: %v", r, err)
		}
	}
	refused := map[string]core.Resources{"cpus": {CPUs: 4.5}, "memory": {MemoryBytes: 9 << 30}, "gpus": {GPUs: 2}, "H100": {GPUs: 1, GPUType: "H100"}}
	for what, r := range refused {
		err := c.Check("test", Task{Step: "s", Resources: r})
		if !errors.Is(err, ErrRefused) || !bytes.Contains([]byte(err.Error()), []byte(what)) || !bytes.Contains([]byte(err.Error()), []byte("step s")) {
			t.Errorf("%+v: err %v, want a refusal naming the step and %s", r, err, what)
		}
	}
}
