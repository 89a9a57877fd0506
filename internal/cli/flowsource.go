package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"lockstep.dev/lockstep/internal/core"
	"lockstep.dev/lockstep/internal/flow"
)

// pythonFlowTimeout bounds how long a Python flow file may take to print
// its flow.
const pythonFlowTimeout = 2 * time.Minute

// loadedFlow is a parsed flow and, when the flow is not a file of the
// project (a Python flow's JSON, or one read from stdin), its bytes, which
// the run stores so that reproduce and diff can read it back.
type loadedFlow struct {
	*flow.Flow
	generated []byte
}

// loadFlow reads the flow path names: a YAML (or JSON) flow file; "-", a
// flow read from stdin, its folder the working one; or a Python file
// (*.py), whose flow `python3 -m lockstep flow-json FILE.py` prints, run in
// the file's folder ($LOCKSTEP_PYTHON names another interpreter). A flow
// that is not a project file is recorded as NAME.flow.json beside where it
// came from (stdin.flow.json for stdin).
func loadFlow(ctx context.Context, g *globalOptions, path string) (*loadedFlow, error) {
	var data []byte
	var virtual string
	switch {
	case path == "-":
		b, err := io.ReadAll(io.LimitReader(g.stdin, flow.MaxSize+1))
		if err != nil {
			return nil, fmt.Errorf("read flow from stdin: %w", err)
		}
		data, virtual = b, "stdin.flow.json"
	case strings.HasSuffix(path, ".py"):
		b, err := flowFromPython(ctx, g, path)
		if err != nil {
			return nil, err
		}
		data, virtual = b, filepath.Join(filepath.Dir(path), strings.TrimSuffix(filepath.Base(path), ".py")+".flow.json")
	default:
		fl, err := flow.Load(path)
		if err != nil {
			return nil, err
		}
		return &loadedFlow{Flow: fl}, nil
	}
	fl, err := flow.Parse(virtual, data, filepath.Dir(virtual))
	if err != nil {
		if path != "-" {
			err = fmt.Errorf("%w\n(%s is the flow %s defines; see it with `python3 -m lockstep flow-json %s`)", err, virtual, path, filepath.Base(path))
		}
		return nil, err
	}
	return &loadedFlow{Flow: fl, generated: data}, nil
}

// flowFromPython runs `python3 -m lockstep flow-json FILE.py` in the file's
// folder and returns what it printed.
func flowFromPython(ctx context.Context, g *globalOptions, path string) ([]byte, error) {
	python := g.getenv("LOCKSTEP_PYTHON")
	if python == "" {
		python = "python3"
	}
	ctx, cancel := context.WithTimeout(ctx, pythonFlowTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-m", "lockstep", "flow-json", filepath.Base(path))
	cmd.Dir = filepath.Dir(path)
	cmd.Env = g.environ
	var out, stderr bytes.Buffer
	cmd.Stdout = core.FirstBytes(&out, flow.MaxSize+1)
	cmd.Stderr = core.FirstBytes(&stderr, 16<<10)
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, usageErrorf("%s: `%s -m lockstep flow-json %s` did not finish in %s", path, python, filepath.Base(path), pythonFlowTimeout)
	}
	if err != nil {
		why := strings.TrimSpace(stderr.String())
		if strings.Contains(why, "No module named lockstep") {
			why += "\n(install the lockstep Python package into that interpreter: pip install --no-build-isolation python/ from lockstep's source, or set LOCKSTEP_PYTHON)"
		}
		return nil, usageErrorf("%s: `%s -m lockstep flow-json %s` failed (%v):\n%s", path, python, filepath.Base(path), err, why)
	}
	return out.Bytes(), nil
}
