package task

import (
	"os"
	"strings"
)

// placementVars are the variables of a scheduler's job that say where a
// task ran; they go into its record and its run's provenance.
var placementVars = []string{
	"SLURM_CLUSTER_NAME", "SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", "SLURM_JOB_PARTITION",
	"SLURM_JOB_ACCOUNT", "SLURM_JOB_QOS", "SLURM_JOB_NODELIST", "SLURM_JOB_GPUS", "SLURM_STEP_GPUS", "CUDA_VISIBLE_DEVICES",
}

// Placement returns where this executor runs: the host name and the job
// variables a scheduler set in environ (the executor's environment).
func Placement(environ []string) map[string]string {
	out := map[string]string{}
	if h, err := os.Hostname(); err == nil {
		out["host"] = h
	}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		for _, want := range placementVars {
			if k == want && v != "" {
				out[k] = v
			}
		}
	}
	return out
}
