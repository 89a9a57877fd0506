package kubernetes

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"regexp"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"lockstep.dev/lockstep/internal/backend"
)

// Labels and annotations put on every Job, pod and NetworkPolicy.
const (
	// LabelTask names a task's Job; its pod and NetworkPolicy carry it too,
	// so the policy selects exactly that pod.
	LabelTask = "lockstep.dev/task"
	// LabelManaged marks objects lockstep made.
	LabelManaged = "app.kubernetes.io/managed-by"
	// AnnotationSpec holds the task spec's digest; AnnotationStep the
	// step's name (which may not be a valid label value).
	AnnotationSpec = "lockstep.dev/spec"
	AnnotationStep = "lockstep.dev/step"
)

// Pod paths: the executor's work folder and /tmp are emptyDirs, the only
// writable places under the read-only root filesystem.
const (
	workPath = "/lockstep/work"
	tmpPath  = "/tmp"
	// containerName is the executor's container in the pod.
	containerName = "task"
	// nonRootID is the user and group the executor runs as (the
	// distroless "nonroot" user), so runAsNonRoot holds for any image.
	nonRootID = 65532
	// deadlineMargin is added to the step's time limit for the Job's
	// activeDeadlineSeconds, so the executor stops the step first and
	// records why; it covers pulling the image and storing the outputs.
	deadlineMargin = 300
)

// JobName returns the Job's name for a task: "lockstep-", the step's name
// reduced to what a DNS label allows, and a hash of the spec and a nonce
// (two runs of one spec are two Jobs).
func JobName(t backend.Task, nonce string) string {
	sum := sha256.Sum256([]byte(t.Spec.String() + "/" + nonce))
	step := strings.Trim(nonDNS.ReplaceAllString(strings.ToLower(t.Step), "-"), "-")
	if len(step) > 30 {
		step = strings.TrimRight(step[:30], "-")
	}
	name := "lockstep-"
	if step != "" {
		name += step + "-"
	}
	return name + hex.EncodeToString(sum[:])[:12]
}

var nonDNS = regexp.MustCompile(`[^a-z0-9-]+`)

// Command is the executor's command line in the pod.
func (b *Backend) Command(t backend.Task) []string {
	return []string{b.exe, "task", "exec", "--store", b.cfg.Store, "--catalog", b.cfg.Catalog, "--work", workPath, t.Spec.String()}
}

// Job returns the batch/v1 Job that runs task t under name: one pod, never
// retried (lockstep decides retries), hardened (no service account token,
// non-root, read-only root filesystem, every capability dropped, no
// privilege escalation, seccomp RuntimeDefault), with the step's resources
// as requests and limits and a deadline past the step's time limit.
func (b *Backend) Job(t backend.Task, name string) *batchv1.Job {
	labels := map[string]string{LabelTask: name, LabelManaged: "lockstep"}
	annotations := map[string]string{AnnotationSpec: t.Spec.String(), AnnotationStep: t.Step}
	s := b.settings
	job := &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: s.namespace, Labels: labels, Annotations: annotations},
		Spec: batchv1.JobSpec{
			BackoffLimit:            ptr(int32(0)),
			Parallelism:             ptr(int32(1)),
			Completions:             ptr(int32(1)),
			TTLSecondsAfterFinished: ptr(s.ttl),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: annotations},
				Spec:       b.podSpec(t),
			},
		},
	}
	if t.Resources.TimeSeconds > 0 {
		job.Spec.ActiveDeadlineSeconds = ptr(t.Resources.TimeSeconds + deadlineMargin)
	}
	return job
}

func (b *Backend) podSpec(t backend.Task) corev1.PodSpec {
	s := b.settings
	volumes := []corev1.Volume{
		{Name: "work", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
	}
	mounts := []corev1.VolumeMount{{Name: "work", MountPath: workPath}, {Name: "tmp", MountPath: tmpPath}}
	if s.pvc != "" {
		volumes = append(volumes, corev1.Volume{Name: "shared", VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: s.pvc}}})
		mounts = append(mounts, corev1.VolumeMount{Name: "shared", MountPath: s.pvcPath})
	}
	c := corev1.Container{
		Name:            containerName,
		Image:           s.image,
		ImagePullPolicy: corev1.PullPolicy(s.pullPolicy),
		Command:         b.Command(t),
		WorkingDir:      workPath,
		Env: []corev1.EnvVar{
			{Name: "HOME", Value: tmpPath}, {Name: "TMPDIR", Value: tmpPath},
			{Name: "LOCKSTEP_WORK", Value: workPath},
		},
		Resources:    resources(t, s.gpuResource),
		VolumeMounts: mounts,
		SecurityContext: &corev1.SecurityContext{
			RunAsNonRoot:             ptr(true),
			RunAsUser:                ptr(int64(nonRootID)),
			RunAsGroup:               ptr(int64(nonRootID)),
			ReadOnlyRootFilesystem:   ptr(true),
			AllowPrivilegeEscalation: ptr(false),
			Privileged:               ptr(false),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
	}
	if s.envSecret != "" {
		c.EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: s.envSecret}}}}
	}
	pod := corev1.PodSpec{
		RestartPolicy:                corev1.RestartPolicyNever,
		AutomountServiceAccountToken: ptr(false),
		ServiceAccountName:           s.serviceAccount,
		EnableServiceLinks:           ptr(false),
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr(true),
			RunAsUser:      ptr(int64(nonRootID)),
			RunAsGroup:     ptr(int64(nonRootID)),
			FSGroup:        ptr(int64(nonRootID)),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Containers:   []corev1.Container{c},
		Volumes:      volumes,
		NodeSelector: b.nodeSelector(t),
		Tolerations:  s.tolerations,
	}
	if t.Resources.GPUs > 0 && t.Resources.GPUType != "" {
		if values := b.gpuLabelValues(t.Resources.GPUType); len(values) > 0 {
			pod.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
					MatchExpressions: []corev1.NodeSelectorRequirement{{Key: s.gpuTypeLabel, Operator: corev1.NodeSelectorOpIn, Values: values}},
				}}},
			}}
		}
	}
	if pod.ServiceAccountName == "" {
		pod.ServiceAccountName = "default"
	}
	return pod
}

// nodeSelector is the configured selector, plus the GPU type's label when
// the step names one and the nodes' labels could not be read (then the
// type must be the label's exact value).
func (b *Backend) nodeSelector(t backend.Task) map[string]string {
	sel := map[string]string{}
	for k, v := range b.settings.nodeSelector {
		sel[k] = v
	}
	if t.Resources.GPUs > 0 && t.Resources.GPUType != "" && len(b.gpuLabelValues(t.Resources.GPUType)) == 0 {
		sel[b.settings.gpuTypeLabel] = t.Resources.GPUType
	}
	if len(sel) == 0 {
		return nil
	}
	return sel
}

// gpuLabelValues are the values of the GPU type label, among the nodes
// read when the backend opened, that name the type asked for (matched as
// backend.Capacity matches it: case-insensitive, as a part).
func (b *Backend) gpuLabelValues(want string) []string {
	var out []string
	for _, v := range b.capacity.GPUTypes {
		if strings.Contains(strings.ToLower(v), strings.ToLower(want)) {
			out = append(out, v)
		}
	}
	return out
}

// resources are the container's requests and limits: CPU (requested as
// asked, limited to the whole cores above it), memory and GPUs (equal
// request and limit, as extended resources must be).
func resources(t backend.Task, gpuResource string) corev1.ResourceRequirements {
	r := t.Resources
	req, lim := corev1.ResourceList{}, corev1.ResourceList{}
	if r.CPUs > 0 {
		req[corev1.ResourceCPU] = *resource.NewMilliQuantity(int64(math.Ceil(r.CPUs*1000)), resource.DecimalSI)
		lim[corev1.ResourceCPU] = *resource.NewQuantity(int64(math.Ceil(r.CPUs)), resource.DecimalSI)
	}
	if r.MemoryBytes > 0 {
		q := *resource.NewQuantity(r.MemoryBytes, resource.BinarySI)
		req[corev1.ResourceMemory], lim[corev1.ResourceMemory] = q, q
	}
	if r.GPUs > 0 {
		q := *resource.NewQuantity(int64(r.GPUs), resource.DecimalSI)
		req[corev1.ResourceName(gpuResource)], lim[corev1.ResourceName(gpuResource)] = q, q
	}
	out := corev1.ResourceRequirements{}
	if len(req) > 0 {
		out.Requests, out.Limits = req, lim
	}
	return out
}

// NetworkPolicy returns the policy that denies the task's pod all egress
// but to the configured CIDRs (where the store and catalog are), for a
// step that asked for no network. Ingress is denied too: nothing needs to
// reach a task.
func (b *Backend) NetworkPolicy(t backend.Task, name string) *networkingv1.NetworkPolicy {
	var egress []networkingv1.NetworkPolicyEgressRule
	if len(b.settings.egressAllow) > 0 {
		rule := networkingv1.NetworkPolicyEgressRule{}
		for _, cidr := range b.settings.egressAllow {
			rule.To = append(rule.To, networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: cidr}})
		}
		egress = append(egress, rule)
	}
	return &networkingv1.NetworkPolicy{
		TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: b.settings.namespace,
			Labels:      map[string]string{LabelTask: name, LabelManaged: "lockstep"},
			Annotations: map[string]string{AnnotationSpec: t.Spec.String(), AnnotationStep: t.Step}},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{LabelTask: name}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Egress:      egress,
		},
	}
}

func ptr[T any](v T) *T { return &v }
