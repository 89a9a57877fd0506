package flow

import (
	"time"

	"gopkg.in/yaml.v3"

	"lockstep.dev/lockstep/internal/core"
)

// resources decodes a step's "resources" mapping.
func (p *parser) resources(n *yaml.Node, field string) Resources {
	var r Resources
	m := p.fields(n, field, "cpus", "memory", "gpus", "time")
	if e, ok := m["cpus"]; ok {
		if v, ok := p.number(e.val, field+".cpus"); ok {
			if v <= 0 {
				p.report(e.val, field+".cpus", "ask for at least a fraction of a CPU, e.g. 0.5", "want more than 0, got %v", v)
			}
			r.CPUs = v
		}
	}
	if e, ok := m["gpus"]; ok {
		if v, ok := p.integer(e.val, field+".gpus"); ok {
			if v < 0 || v > 1024 {
				p.report(e.val, field+".gpus", "", "want between 0 and 1024, got %d", v)
			}
			r.GPUs = int(v)
		}
	}
	if e, ok := m["memory"]; ok {
		if s, ok := p.str(e.val, field+".memory"); ok {
			if b, err := core.ParseSize(s); err != nil {
				p.report(e.val, field+".memory", "use a size like 512MiB, 4GiB or 4G", "%v", err)
			} else {
				r.MemoryBytes = b
			}
		}
	}
	if e, ok := m["time"]; ok {
		if s, ok := p.str(e.val, field+".time"); ok {
			if d, err := time.ParseDuration(s); err != nil || d <= 0 {
				p.report(e.val, field+".time", "use a duration like 90m, 1h30m or 12h", "invalid time limit %q", s)
			} else {
				r.Time = d
			}
		}
	}
	return r
}
