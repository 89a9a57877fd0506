package capture

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"lockstep.dev/lockstep/internal/hostcache"
)

// Options says what a step will run and with which environment.
type Options struct {
	// Command is the step's shell command, e.g. "python3 train.py".
	Command string
	// PATH is the PATH the step runs with, used to find its interpreter.
	PATH string
	// Env is the environment the step sees, already filtered by the
	// caller; nil means the current process's environment. Without HOME
	// in it, the step is taken to get a private, empty home when it runs,
	// so no user site-packages are recorded.
	Env map[string]string
	// Dir is the step's working directory ("" for the current one): it
	// resolves relative interpreter paths and PYTHONPATH entries.
	Dir string
	// Secrets says which variables are secret and seals their values.
	Secrets Secrets
	// Visible lists the absolute host directories a confined step sees;
	// nil means everything (an unconfined step). Interpreter search-path
	// entries outside them are reported in Interpreter.Hidden, not read.
	Visible []string
	// CacheDir is a folder where the verification of installed files is
	// remembered between processes (the home's cache folder); "" keeps it
	// in memory only.
	CacheDir string
}

// Capture records the environment a step runs with: the host facts, the
// OS packages, the Python interpreter and packages when the command starts
// Python, and opts.Env with secrets sealed (see Secrets). The step contract's
// LOCKSTEP_* variables are left out of the record: they name per-task
// paths, and the task record holds what they point to. Capture does not
// run the command.
func Capture(ctx context.Context, opts Options) (*Environment, error) {
	h, err := hostFacts(ctx)
	if err != nil {
		return nil, fmt.Errorf("capture environment: %w", err)
	}
	env := &Environment{
		Type:   EnvironmentType,
		OS:     h.os,
		Kernel: h.kernel,
		Arch:   h.arch,
		Libc:   h.libc,
		CPU:    h.cpu,
		Memory: h.memory,
		GPUs:   slices.Clone(h.gpus),
		Env:    opts.Secrets.Redact(withoutContract(opts.Env)),
	}
	env.CPU.Flags = slices.Clone(h.cpu.Flags)
	set, err := readOSPackages(ctx)
	if err != nil {
		return nil, fmt.Errorf("capture environment: %w", err)
	}
	env.OSPackages = set // shared: never modified
	if env.Interpreter, err = capturePython(ctx, opts); err != nil {
		return nil, fmt.Errorf("capture environment of %q: %w", opts.Command, err)
	}
	env.GPUSoftware = stepGPUSoftware(h.gpuSoftware, opts, env.Interpreter)
	if err := inspectInstalled(env, opts.CacheDir); err != nil {
		return nil, fmt.Errorf("capture environment of %q: %w", opts.Command, err)
	}
	return env, nil
}

// withoutContract returns env without the LOCKSTEP_* variables.
func withoutContract(env map[string]string) map[string]string {
	out := make(map[string]string, len(env))
	for name, value := range env {
		if !strings.HasPrefix(name, "LOCKSTEP_") {
			out[name] = value
		}
	}
	return out
}

// host holds the facts that stay the same while the process runs.
type host struct {
	os     OSInfo
	kernel string
	arch   string
	libc   Libc
	cpu    CPU
	memory int64
	gpus   []GPU
	// gpuSoftware is what of the GPU software stack the host's files say.
	gpuSoftware GPUSoftware
}

// hostCache keeps the host facts after the first successful read.
var hostCache struct {
	sync.Mutex
	h *host
}

func hostFacts(ctx context.Context) (*host, error) {
	hostCache.Lock()
	defer hostCache.Unlock()
	if hostCache.h != nil {
		return hostCache.h, nil
	}
	h := &host{}
	var err error
	if h.os, err = readOSRelease(); err != nil {
		return nil, err
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		return nil, fmt.Errorf("uname: %w", err)
	}
	h.kernel, h.arch = unix.ByteSliceToString(uts.Release[:]), unix.ByteSliceToString(uts.Machine[:])
	if h.libc, err = readLibc(ctx); err != nil {
		return nil, err
	}
	if h.cpu, err = readCPU(); err != nil {
		return nil, err
	}
	if h.memory, err = readMemTotal(); err != nil {
		return nil, err
	}
	// A broken nvidia-smi (no driver in a container) means no usable GPU.
	h.gpus, _ = readGPUs(ctx)
	h.gpuSoftware = hostGPUSoftware(hostcache.Shared(), "/")
	hostCache.h = h
	return h, nil
}
