// Package sandbox runs a step's command confined with bubblewrap, or
// explicitly unconfined.
//
// Confinement (Mode Bubblewrap) gives the command a file system built only
// from what the caller names:
//
//   - read-only: the system set returned by SystemBinds (/usr, the /bin,
//     /lib, /lib64 and /sbin links or directories, and a curated part of
//     /etc), the toolchain directories from Toolchain, the code snapshot and
//     every declared input (Spec.ReadOnly);
//   - writable: the output and work directories (Spec.Writable) and a
//     private /tmp that vanishes with the step;
//   - a new /proc, a minimal /dev with a private /dev/shm;
//   - nothing else of the host: home directories, /root, /srv, /var, /opt
//     and the project folder are absent unless bound. The root itself is
//     read-only, so a write anywhere else fails instead of being lost.
//
// The command gets its own PID, IPC, UTS (hostname "lockstep") and, where
// the kernel allows, cgroup namespace; no network unless Spec.Network;
// a new session (no TIOCSTI injection into the caller's terminal); no
// capabilities, even when lockstep runs as root, so read-only mounts cannot
// be remounted writable. Its environment is exactly Spec.Env: the values are
// handed to bubblewrap through its own cleared environment rather than its
// argument list, so secrets never show in the host's process table.
//
// Mode None runs the same command directly with the same environment and
// working directory; the caller records that the task was unconfined.
//
// Both modes place the process in its own process group with a parent-death
// signal, and cancelling the context passed to Command kills the whole
// group. A confined command's whole tree also dies when lockstep itself is
// killed: bwrap gets the parent-death signal and takes its PID namespace
// with it. An unconfined command gets the same signal, but children it left
// running in other process groups may outlive it.
//
// Toolchain finds the directories a step's interpreters live in (a pyenv
// or virtual-environment Python, a script's #! interpreter), so that only
// those are exposed; StepPath keeps the caller's PATH meaningful inside the
// sandbox (its folders and the interpreters it selects exposed read-only,
// pyenv shims replaced by what they select), so a step that starts Python
// through a shell or a script runs the same one; Explain turns a confined step's error output into a
// hint about what to declare.
package sandbox
