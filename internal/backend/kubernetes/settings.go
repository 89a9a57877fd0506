package kubernetes

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// settingKeys are the keys of the backend's section of config.yaml.
var settingKeys = []string{"kubeconfig", "context", "namespace", "image", "exe", "pull_policy", "service_account",
	"node_selector", "tolerations", "slots", "ttl", "pvc", "pvc_path", "env_secret", "egress_allow",
	"gpu_resource", "gpu_type_label"}

// settings are the backend's parsed settings.
type settings struct {
	kubeconfig, context, namespace string
	image, exe, pullPolicy         string
	serviceAccount                 string
	nodeSelector                   map[string]string
	tolerations                    []corev1.Toleration
	slots                          int
	ttl                            int32
	pvc, pvcPath                   string
	envSecret                      string
	egressAllow                    []string
	gpuResource, gpuTypeLabel      string
}

// parseSettings reads the backend's section of config.yaml; an unknown key
// or a bad value is an error naming the key and what it wants.
func parseSettings(kv map[string]string) (settings, error) {
	s := settings{exe: "lockstep", pullPolicy: string(corev1.PullIfNotPresent), slots: DefaultSlots, ttl: 600,
		gpuResource: "nvidia.com/gpu", gpuTypeLabel: "nvidia.com/gpu.product"}
	bad := func(k, v, want string) error { return fmt.Errorf("kubernetes: %s %q: want %s", k, v, want) }
	for k, v := range kv {
		switch k {
		case "kubeconfig":
			s.kubeconfig = v
		case "context":
			s.context = v
		case "namespace":
			s.namespace = v
		case "image":
			s.image = v
		case "exe":
			s.exe = v
		case "pull_policy":
			switch corev1.PullPolicy(v) {
			case corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
				s.pullPolicy = v
			default:
				return s, bad(k, v, "Always, IfNotPresent or Never")
			}
		case "service_account":
			s.serviceAccount = v
		case "node_selector":
			sel, err := parseSelector(v)
			if err != nil {
				return s, bad(k, v, "label=value pairs separated by commas, such as pool=gpu,zone=a")
			}
			s.nodeSelector = sel
		case "tolerations":
			tols, err := parseTolerations(v)
			if err != nil {
				return s, bad(k, v, "key[=value]:Effect items separated by commas, such as nvidia.com/gpu:NoSchedule")
			}
			s.tolerations = tols
		case "slots":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return s, bad(k, v, "a positive integer, the Jobs a run keeps at once")
			}
			s.slots = n
		case "ttl":
			n, err := strconv.ParseInt(v, 10, 32)
			if err != nil || n < 0 {
				return s, bad(k, v, "seconds a finished Job is kept before Kubernetes deletes it, such as 600")
			}
			s.ttl = int32(n)
		case "pvc":
			s.pvc = v
		case "pvc_path":
			s.pvcPath = v
		case "env_secret":
			s.envSecret = v
		case "egress_allow":
			for _, c := range splitList(v) {
				if _, _, err := net.ParseCIDR(c); err != nil {
					return s, bad(k, v, "CIDRs separated by commas (where the store and catalog are), such as 10.0.0.5/32")
				}
				s.egressAllow = append(s.egressAllow, c)
			}
		case "gpu_resource":
			s.gpuResource = v
		case "gpu_type_label":
			s.gpuTypeLabel = v
		default:
			return s, fmt.Errorf("kubernetes: unknown setting %q (known: %s)", k, strings.Join(settingKeys, ", "))
		}
	}
	if s.image == "" {
		return s, fmt.Errorf("kubernetes: no image: set backends: kubernetes: image: to an image with the lockstep binary (see README, \"On Kubernetes\")")
	}
	if (s.pvc == "") != (s.pvcPath == "") {
		return s, fmt.Errorf("kubernetes: pvc and pvc_path go together: the claim holding the store and the path it is mounted at, the store's path")
	}
	return s, nil
}

func splitList(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseSelector reads "k=v,k2=v2".
func parseSelector(v string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range splitList(v) {
		k, val, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not label=value", f)
		}
		out[k] = val
	}
	return out, nil
}

// parseTolerations reads "key=value:Effect,key:Effect" (a key without a
// value tolerates any value).
func parseTolerations(v string) ([]corev1.Toleration, error) {
	var out []corev1.Toleration
	for _, f := range splitList(v) {
		kv, effect, _ := strings.Cut(f, ":")
		t := corev1.Toleration{Effect: corev1.TaintEffect(effect)}
		switch t.Effect {
		case "", corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
		default:
			return nil, fmt.Errorf("effect %q", effect)
		}
		if k, val, ok := strings.Cut(kv, "="); ok {
			t.Key, t.Operator, t.Value = k, corev1.TolerationOpEqual, val
		} else {
			t.Key, t.Operator = kv, corev1.TolerationOpExists
		}
		if t.Key == "" {
			return nil, fmt.Errorf("%q has no key", f)
		}
		out = append(out, t)
	}
	return out, nil
}

// reachable refuses a file:// store or sqlite:// catalog that the pods
// cannot see: one not under the claim mounted at pvc_path.
func (s settings) reachable(urls ...string) error {
	for _, u := range urls {
		scheme, path, ok := strings.Cut(u, "://")
		if !ok || scheme != "file" && scheme != "sqlite" {
			continue
		}
		if s.pvcPath == "" || path != s.pvcPath && !strings.HasPrefix(path, strings.TrimSuffix(s.pvcPath, "/")+"/") {
			return fmt.Errorf("kubernetes: the pods cannot reach %s: use an S3 store and a PostgreSQL catalog, or put them on a PersistentVolumeClaim and set pvc: and pvc_path: to it and the folder it is mounted at", u)
		}
	}
	return nil
}
