package sandbox

import "lockstep.dev/lockstep/internal/shell"

// programs returns, in order and without repeats, the program words a
// shell command line starts: each command's wrappers (timeout, env, uv)
// and the program they run. Shell built-ins such as exec are not listed;
// built-ins the shell runs itself (cd, echo) are, and are simply not
// found on PATH.
func programs(line string) ([]string, error) {
	cmds, err := shell.Commands(line)
	if err != nil {
		return nil, err
	}
	var names []string
	seen := map[string]bool{}
	for _, c := range cmds {
		for _, name := range append(c.Via, c.Name()) {
			if !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	return names, nil
}
