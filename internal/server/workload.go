package server

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Model references a workload can carry.
const (
	// ModelAnnotation names the model of every container.
	ModelAnnotation = "lockstep.dev/model"
	// ModelAnnotationPrefix followed by a container name names that
	// container's model.
	ModelAnnotationPrefix = "lockstep.dev/model."
	// ModelEnv is the environment variable a container names its model in
	// (a tree digest or an OCI reference, despite its name).
	ModelEnv = "LOCKSTEP_MODEL_DIGEST"
)

// objectMeta, podTemplate, podSpec and container are the fields of the
// Kubernetes objects the webhook reads.
type objectMeta struct {
	Name        string            `json:"name"`
	Annotations map[string]string `json:"annotations"`
}

type podTemplate struct {
	Metadata objectMeta `json:"metadata"`
	Spec     podSpec    `json:"spec"`
}

type podSpec struct {
	Containers          []container `json:"containers"`
	InitContainers      []container `json:"initContainers"`
	EphemeralContainers []container `json:"ephemeralContainers"`
}

type container struct {
	Name string `json:"name"`
	Env  []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"env"`
}

// ModelRef is one container's model reference.
type ModelRef struct {
	Container string
	// Value is the reference as written: a stored tree's digest or an OCI
	// reference (read by Admit).
	Value string
	// From says where the reference was found, for messages.
	From string
}

// podOf finds the pod template inside an object of kind.
func podOf(kind string, raw json.RawMessage) (*podTemplate, error) {
	var obj struct {
		Metadata objectMeta      `json:"metadata"`
		Spec     json.RawMessage `json:"spec"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("decode %s: %w", kind, err)
	}
	var tpl podTemplate
	switch kind {
	case "Pod":
		tpl.Metadata = obj.Metadata
		if err := unmarshalSpec(obj.Spec, &tpl.Spec); err != nil {
			return nil, fmt.Errorf("decode pod spec: %w", err)
		}
	case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job":
		var spec struct {
			Template podTemplate `json:"template"`
		}
		if err := unmarshalSpec(obj.Spec, &spec); err != nil {
			return nil, fmt.Errorf("decode %s spec: %w", kind, err)
		}
		tpl = spec.Template
	case "CronJob":
		var spec struct {
			JobTemplate struct {
				Spec struct {
					Template podTemplate `json:"template"`
				} `json:"spec"`
			} `json:"jobTemplate"`
		}
		if err := unmarshalSpec(obj.Spec, &spec); err != nil {
			return nil, fmt.Errorf("decode CronJob spec: %w", err)
		}
		tpl = spec.JobTemplate.Spec.Template
	default:
		return nil, nil
	}
	// Annotations on the workload apply to its pods unless the template
	// says otherwise.
	if kind != "Pod" {
		merged := map[string]string{}
		for k, v := range obj.Metadata.Annotations {
			merged[k] = v
		}
		for k, v := range tpl.Metadata.Annotations {
			merged[k] = v
		}
		tpl.Metadata.Annotations = merged
	}
	return &tpl, nil
}

// unmarshalSpec decodes a spec into v; a missing spec leaves v empty.
func unmarshalSpec(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, v)
}

// modelRefs lists each container's model reference: its own annotation,
// else the pod-wide annotation, else its LOCKSTEP_MODEL_DIGEST variable.
// Annotations naming containers that do not exist are errors.
func modelRefs(tpl *podTemplate) ([]ModelRef, error) {
	ann := tpl.Metadata.Annotations
	all := append(append(append([]container{}, tpl.Spec.InitContainers...), tpl.Spec.Containers...), tpl.Spec.EphemeralContainers...)
	names := map[string]bool{}
	var refs []ModelRef
	for _, c := range all {
		names[c.Name] = true
		switch {
		case ann[ModelAnnotationPrefix+c.Name] != "":
			refs = append(refs, ModelRef{c.Name, strings.TrimSpace(ann[ModelAnnotationPrefix+c.Name]), "annotation " + ModelAnnotationPrefix + c.Name})
		case ann[ModelAnnotation] != "":
			refs = append(refs, ModelRef{c.Name, strings.TrimSpace(ann[ModelAnnotation]), "annotation " + ModelAnnotation})
		default:
			for _, e := range c.Env {
				if e.Name == ModelEnv {
					refs = append(refs, ModelRef{c.Name, strings.TrimSpace(e.Value), "env " + ModelEnv})
				}
			}
		}
	}
	var unknown []string
	for k := range ann {
		if name, ok := strings.CutPrefix(k, ModelAnnotationPrefix); ok && !names[name] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		return nil, fmt.Errorf("annotation %s names no container of this pod (containers: %s)", strings.Join(unknown, ", "), strings.Join(sortedNames(names), ", "))
	}
	return refs, nil
}

func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
