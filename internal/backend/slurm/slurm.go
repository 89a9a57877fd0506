// Package slurm runs tasks as Slurm batch jobs. Each task becomes one
// `sbatch` job whose script runs `lockstep task exec SPEC` against the
// store and catalog URLs, so the node needs only the lockstep binary and
// a way to reach them (a shared file system for file:// and sqlite://, or
// S3 and PostgreSQL). The step's resources become --cpus-per-task, --mem,
// --gres=gpu[:TYPE]:N and --time; partition, account and qos come from the
// home's configuration. The job's output files, in the home's work
// folder (which the nodes must share), are followed while it runs, so the
// step's log streams back; the executor's report, the last line of its
// stdout, names the task record. Cancelling the run scancels the job.
//
// The flow's dependencies stay with the engine: each job is submitted when
// its inputs are ready, never chained with --dependency (whose failures
// Slurm reports only as a job that never starts).
package slurm

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/core"
)

// Name is the Slurm backend's registry name.
const Name = "slurm"

// DefaultSlots is how many jobs a run keeps submitted at once when the
// configuration does not say (slots:).
const DefaultSlots = 64

// settingKeys are the keys of the backend's section of config.yaml.
var settingKeys = []string{"partition", "account", "qos", "slots", "exe", "poll", "array_window"}

// Backend submits each task as a Slurm job.
type Backend struct {
	cfg       backend.Config
	partition string
	account   string
	qos       string
	slots     int
	poll      time.Duration
	capacity  backend.Capacity
	arrays    arrays
}

var _ backend.Backend = (*Backend)(nil)

// Open returns the Slurm backend for cfg; it is the backend.Opener
// registered under Name. cfg.Settings may set partition, account, qos,
// slots (jobs submitted at once), exe (the lockstep binary's path on the
// nodes, default the submitter's) and poll (how often job state is read,
// default 500ms). The cluster's largest node, read with sinfo, bounds what
// one task may ask for.
func Open(cfg backend.Config) (backend.Backend, error) {
	if cfg.Exe == "" || cfg.Store == "" || cfg.Catalog == "" || cfg.Work == "" {
		return nil, errors.New("the slurm backend needs the lockstep binary, the store and catalog URLs and a work folder the nodes share")
	}
	b := &Backend{cfg: cfg, slots: DefaultSlots, poll: 500 * time.Millisecond, arrays: arrays{window: 100 * time.Millisecond}}
	for k, v := range cfg.Settings {
		switch k {
		case "partition":
			b.partition = v
		case "account":
			b.account = v
		case "qos":
			b.qos = v
		case "exe":
			b.cfg.Exe = v
		case "slots":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("slurm: slots %q: want a positive integer, the jobs a run keeps submitted at once", v)
			}
			b.slots = n
		case "poll":
			d, err := time.ParseDuration(v)
			if err != nil || d < 10*time.Millisecond {
				return nil, fmt.Errorf("slurm: poll %q: want a duration of at least 10ms, such as 500ms", v)
			}
			b.poll = d
		case "array_window":
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 || d > time.Minute {
				return nil, fmt.Errorf("slurm: array_window %q: want a duration up to 1m, such as 100ms (0 submits each task alone)", v)
			}
			b.arrays.window = d
		default:
			return nil, fmt.Errorf("slurm: unknown setting %q (known: %s)", k, strings.Join(settingKeys, ", "))
		}
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		return nil, fmt.Errorf("slurm: sbatch is not on PATH: run lockstep where Slurm's client commands are installed (%w)", err)
	}
	var err error
	if b.capacity, err = b.readCapacity(); err != nil {
		return nil, err
	}
	return b, nil
}

// Info reports the configured number of jobs to keep submitted.
func (b *Backend) Info() backend.Info {
	return backend.Info{Name: Name, Slots: b.slots}
}

// readCapacity reads the largest node of the partition with sinfo: its
// CPUs, memory and GPUs (from its gres).
func (b *Backend) readCapacity() (backend.Capacity, error) {
	args := []string{"-h", "-N", "-o", "%c|%m|%G"}
	if b.partition != "" {
		args = append(args, "-p", b.partition)
	}
	out, err := b.command("sinfo", args...).Output()
	if err != nil {
		return backend.Capacity{}, fmt.Errorf("slurm: sinfo: %w%s", err, stderrOf(err))
	}
	c, err := ParseSinfo(out)
	if err != nil {
		return c, fmt.Errorf("slurm: %w", err)
	}
	return c, nil
}

// ParseSinfo reads `sinfo -h -N -o %c|%m|%G` lines (CPUs, memory in MiB,
// gres such as gpu:a100:4(S:0-1)) into the capacity of the largest node.
func ParseSinfo(out []byte) (backend.Capacity, error) {
	var c backend.Capacity
	nodes := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(strings.TrimSpace(line), "|")
		if len(f) != 3 {
			continue
		}
		cpus, err1 := strconv.ParseFloat(strings.TrimSuffix(f[0], "+"), 64)
		mem, err2 := strconv.ParseInt(strings.TrimSuffix(f[1], "+"), 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		nodes++
		c.CPUs = max(c.CPUs, cpus)
		c.MemoryBytes = max(c.MemoryBytes, mem<<20)
		gpus, types := parseGres(f[2])
		c.GPUs = max(c.GPUs, gpus)
		for _, t := range types {
			if !slices.Contains(c.GPUTypes, t) {
				c.GPUTypes = append(c.GPUTypes, t)
			}
		}
	}
	if nodes == 0 {
		return c, fmt.Errorf("sinfo lists no nodes (is the partition right, and slurmctld up?): %q", core.Excerpt(string(out)))
	}
	return c, nil
}

var gresGPU = regexp.MustCompile(`gpu(?::([A-Za-z0-9_.-]+))?:(\d+)`)

// parseGres counts the GPUs of a gres string and names their types.
func parseGres(s string) (int, []string) {
	n := 0
	var types []string
	for _, m := range gresGPU.FindAllStringSubmatch(s, -1) {
		k, _ := strconv.Atoi(m[2])
		n += k
		if m[1] != "" && !slices.Contains(types, m[1]) {
			types = append(types, m[1])
		}
	}
	return n, types
}

// Exec submits the task as an element of a job array (tasks of the same
// shape submitted together share one), follows it to its end and returns
// the record its executor reported.
func (b *Backend) Exec(ctx context.Context, t backend.Task, stdout, stderr io.Writer) (core.Digest, error) {
	if err := b.capacity.Check(Name, t); err != nil {
		return "", err
	}
	el, err := b.arrays.enqueue(ctx, b, t)
	if err != nil {
		return "", err
	}
	defer el.release()
	report := backend.NewReportReader(stdout)
	diag := &core.Tail{Max: 4096}
	follow := []*follower{{path: el.out, w: report}, {path: el.err, w: io.MultiWriter(stderr, diag)}}
	state, err := b.wait(ctx, el.id, follow)
	if err != nil {
		return "", err
	}
	d, rerr := report.Record()
	if rerr == nil {
		return d, nil
	}
	return "", fmt.Errorf("slurm job %s of step %s ended %s with no task record: %w: %s", el.id, t.Step, state, rerr, strings.TrimSpace(diag.String()))
}

// jobsDir is the folder job scripts and output files go in, under the
// shared work folder.
func (b *Backend) jobsDir() string {
	dir := filepath.Join(b.cfg.Work, "slurm")
	os.MkdirAll(dir, 0o755)
	return dir
}

// execLine is the shell command that runs task t's executor.
func (b *Backend) execLine(t backend.Task) string {
	args := []string{b.cfg.Exe, "task", "exec", "--store", b.cfg.Store, "--catalog", b.cfg.Catalog, "--work", b.cfg.Work, t.Spec.String()}
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return "exec " + strings.Join(args, " ")
}

// Script is the batch script of a job array running tasks: element i
// runs the executor of tasks[i] and nothing else. The environment comes
// from the submitter (sbatch --export=ALL); values are not written into
// the script.
func (b *Backend) Script(tasks []backend.Task) string {
	var sb strings.Builder
	sb.WriteString("#!/bin/sh\ncase \"$SLURM_ARRAY_TASK_ID\" in\n")
	for i, t := range tasks {
		fmt.Fprintf(&sb, "%d) # %s\n  %s ;;\n", i, strings.ReplaceAll(t.Step, "\n", " "), b.execLine(t))
	}
	sb.WriteString("esac\necho \"lockstep: no task for array index $SLURM_ARRAY_TASK_ID\" >&2\nexit 1\n")
	return sb.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// SbatchArgs are the sbatch options of a job array of n tasks shaped like
// t: its name, its output files (one pair per element, in dir) and the
// resources. The job's time limit is the step's plus a minute, so that
// the executor's own limit stops the step first and records why.
func (b *Backend) SbatchArgs(t backend.Task, n int, dir string) []string {
	name, _, _ := strings.Cut(t.Step, "[")
	return append([]string{"--parsable", "--job-name", "lockstep-" + name, "--array", fmt.Sprintf("0-%d", n-1),
		"--output", filepath.Join(dir, "%a.out"), "--error", filepath.Join(dir, "%a.err"),
		"--export", "ALL", "--chdir", b.cfg.Work}, b.shape(t)...)
}

// shape is the part of the sbatch options that tasks of one array share:
// the resources and the placement settings.
func (b *Backend) shape(t backend.Task) []string {
	var args []string
	r := t.Resources
	if r.CPUs > 0 {
		args = append(args, "--cpus-per-task", strconv.Itoa(int(math.Ceil(r.CPUs))))
	}
	if r.MemoryBytes > 0 {
		args = append(args, "--mem", strconv.FormatInt((r.MemoryBytes+(1<<20)-1)>>20, 10)+"M")
	}
	if r.GPUs > 0 {
		gres := "gpu:" + strconv.Itoa(r.GPUs)
		if r.GPUType != "" {
			gres = "gpu:" + r.GPUType + ":" + strconv.Itoa(r.GPUs)
		}
		args = append(args, "--gres", gres)
	}
	if r.TimeSeconds > 0 {
		args = append(args, "--time", strconv.FormatInt((r.TimeSeconds+59)/60+1, 10))
	}
	for _, kv := range [][2]string{{"--partition", b.partition}, {"--account", b.account}, {"--qos", b.qos}} {
		if kv[1] != "" {
			args = append(args, kv[0], kv[1])
		}
	}
	return args
}

// submit runs sbatch for the job array of tasks and returns its id. A
// request the cluster cannot meet is an error wrapping backend.ErrRefused.
func (b *Backend) submit(ctx context.Context, tasks []backend.Task, dir string) (string, error) {
	script := filepath.Join(dir, "job.sh")
	if err := os.WriteFile(script, []byte(b.Script(tasks)), 0o755); err != nil {
		return "", fmt.Errorf("slurm: job script: %w", err)
	}
	t := tasks[0]
	out, err := b.command("sbatch", append(b.SbatchArgs(t, len(tasks), dir), script)...).Output()
	if err != nil {
		msg := strings.TrimSpace(stderrOf(err))
		if strings.Contains(msg, "not available") || strings.Contains(msg, "can not be satisfied") || strings.Contains(msg, "Invalid") {
			return "", fmt.Errorf("step %s: %w by backend %s: sbatch: %s; lower the step's resources or choose another partition", t.Step, backend.ErrRefused, Name, msg)
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("slurm: sbatch for step %s: %w%s", t.Step, err, stderrOf(err))
	}
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
	if _, err := strconv.Atoi(id); err != nil {
		return "", fmt.Errorf("slurm: sbatch printed %q, not a job id", core.Excerpt(string(out)))
	}
	return id, nil
}

// follower copies what a job appends to one of its output files.
type follower struct {
	path string
	w    io.Writer
	off  int64
}

// copyNew copies the bytes written since the last call.
func (f *follower) copyNew() {
	file, err := os.Open(f.path)
	if err != nil {
		return
	}
	defer file.Close()
	if _, err := file.Seek(f.off, io.SeekStart); err != nil {
		return
	}
	n, _ := io.Copy(f.w, file)
	f.off += n
}

// wait follows job id until it has left the queue, copying its output as
// it comes, and returns its final state. When ctx ends first the job is
// cancelled, and the error says so once Slurm has let it go.
func (b *Backend) wait(ctx context.Context, id string, follow []*follower) (string, error) {
	tick := time.NewTicker(b.poll)
	defer tick.Stop()
	for {
		for _, f := range follow {
			f.copyNew()
		}
		state, err := b.state(id)
		if err != nil {
			return "", err
		}
		if terminal(state) {
			// The output files may lag the job's end on a shared file
			// system; one more read after the state settles.
			time.Sleep(b.poll / 2)
			for _, f := range follow {
				f.copyNew()
			}
			return state, nil
		}
		select {
		case <-ctx.Done():
			b.cancel(id)
			return "", fmt.Errorf("slurm job %s: %w (scancelled)", id, ctx.Err())
		case <-tick.C:
		}
	}
}

// cancel scancels job id and waits, a little, for it to leave.
func (b *Backend) cancel(id string) {
	b.command("scancel", id).Run()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(b.poll) {
		if s, err := b.state(id); err != nil || terminal(s) {
			return
		}
	}
}

// state reads job id's state with scontrol (which keeps a finished job
// for MinJobAge); a job Slurm no longer knows has ended.
func (b *Backend) state(id string) (string, error) {
	out, err := b.command("scontrol", "show", "job", "-o", id).Output()
	if err != nil {
		if strings.Contains(stderrOf(err), "Invalid job id") {
			return "GONE", nil
		}
		return "", fmt.Errorf("slurm: scontrol show job %s: %w%s", id, err, stderrOf(err))
	}
	return JobState(out), nil
}

// JobState returns the JobState= field of `scontrol show job -o` output.
func JobState(out []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Split(bufio.ScanWords)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "JobState="); ok {
			return v
		}
	}
	return "UNKNOWN"
}

// terminal reports whether a job in state s will not run any more.
func terminal(s string) bool {
	switch s {
	case "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING", "SIGNALING", "STAGE_OUT", "UNKNOWN":
		return false
	}
	return true
}

// command runs a Slurm client command with the executor's environment
// (sbatch --export=ALL hands it to the job).
func (b *Backend) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = b.cfg.Environ
	if !hasPath(cmd.Env) {
		cmd.Env = append(cmd.Env, "PATH="+os.Getenv("PATH"))
	}
	return cmd
}

func hasPath(env []string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			return true
		}
	}
	return false
}

// stderrOf returns ": STDERR" of a failed command, or "".
func stderrOf(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return ": " + strings.TrimSpace(core.Excerpt(string(ee.Stderr)))
	}
	return ""
}
