package kubernetes

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	k8s "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/backend/backendtest"
	"lockstep.dev/lockstep/internal/core"
)

// lockstepBin is the binary the contract suite's executors run (on a
// cluster, the image's; the suite needs it for its own setup).
var lockstepBin string

func TestMain(m *testing.M) { backendtest.Main(m, &lockstepBin) }

const testNS = "lockstep-test"

var storeCfg = backend.Config{Store: "s3://bucket/lockstep?region=eu-west-1", Catalog: "postgres://db.internal/lockstep"}

// gpuTask asks for what a training step asks for.
func gpuTask(network bool) backend.Task {
	return backend.Task{Spec: core.DigestOf([]byte("spec")), Step: "Train[lr=3e-4,seed=2]", Network: network,
		Resources: core.Resources{CPUs: 1.5, MemoryBytes: 3 << 30, GPUs: 2, GPUType: "a100", TimeSeconds: 90}}
}

// unitBackend is a backend whose objects can be built without a cluster.
func unitBackend(t *testing.T, kv map[string]string) *Backend {
	t.Helper()
	s, err := parseSettings(kv)
	if err != nil {
		t.Fatal(err)
	}
	s.namespace = testNS
	return &Backend{cfg: storeCfg, settings: s, exe: s.exe}
}

// checkHardened fails the test for each field of the Job that is not as
// the backend promises; it checks what the server stored as well as what
// the backend built.
func checkHardened(t *testing.T, job *batchv1.Job, task backend.Task) {
	t.Helper()
	js := job.Spec
	if js.BackoffLimit == nil || *js.BackoffLimit != 0 {
		t.Errorf("backoffLimit %v, want 0: lockstep decides retries", js.BackoffLimit)
	}
	if js.ActiveDeadlineSeconds == nil || *js.ActiveDeadlineSeconds != task.Resources.TimeSeconds+deadlineMargin {
		t.Errorf("activeDeadlineSeconds %v, want the step's %ds plus %ds", js.ActiveDeadlineSeconds, task.Resources.TimeSeconds, deadlineMargin)
	}
	if js.TTLSecondsAfterFinished == nil || *js.TTLSecondsAfterFinished != 120 {
		t.Errorf("ttlSecondsAfterFinished %v, want the configured 120", js.TTLSecondsAfterFinished)
	}
	ps := js.Template.Spec
	if ps.AutomountServiceAccountToken == nil || *ps.AutomountServiceAccountToken {
		t.Error("the pod mounts a service account token")
	}
	if ps.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %s", ps.RestartPolicy)
	}
	if ps.SecurityContext == nil || ps.SecurityContext.RunAsNonRoot == nil || !*ps.SecurityContext.RunAsNonRoot ||
		ps.SecurityContext.SeccompProfile == nil || ps.SecurityContext.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod security context %+v", ps.SecurityContext)
	}
	if len(ps.Containers) != 1 {
		t.Fatalf("%d containers", len(ps.Containers))
	}
	c := ps.Containers[0]
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) ||
		len(sc.Capabilities.Add) != 0 || sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("container security context %+v", sc)
	}
	want := []string{"lockstep", "task", "exec", "--store", storeCfg.Store, "--catalog", storeCfg.Catalog, "--work", workPath, task.Spec.String()}
	if !slices.Equal(c.Command, want) {
		t.Errorf("command %q, want %q", c.Command, want)
	}
	if c.Image != "registry.example/lockstep:test" {
		t.Errorf("image %q", c.Image)
	}
	writable := map[string]bool{}
	for _, m := range c.VolumeMounts {
		for _, v := range ps.Volumes {
			if v.Name == m.Name && v.EmptyDir != nil && !m.ReadOnly {
				writable[m.MountPath] = true
			}
		}
	}
	if !writable[workPath] || !writable["/tmp"] {
		t.Errorf("the work folder and /tmp are not writable emptyDirs: %+v", c.VolumeMounts)
	}
	for name, want := range map[corev1.ResourceName]string{corev1.ResourceCPU: "1500m", corev1.ResourceMemory: "3Gi", "nvidia.com/gpu": "2"} {
		if q := c.Resources.Requests[name]; q.Cmp(resource.MustParse(want)) != 0 {
			t.Errorf("request %s = %s, want %s", name, q.String(), want)
		}
	}
	for name, want := range map[corev1.ResourceName]string{corev1.ResourceCPU: "2", corev1.ResourceMemory: "3Gi", "nvidia.com/gpu": "2"} {
		if q := c.Resources.Limits[name]; q.Cmp(resource.MustParse(want)) != 0 {
			t.Errorf("limit %s = %s, want %s", name, q.String(), want)
		}
	}
	if ps.NodeSelector["pool"] != "train" {
		t.Errorf("node selector %v, want the configured pool=train", ps.NodeSelector)
	}
	if len(ps.Tolerations) != 1 || ps.Tolerations[0].Key != "nvidia.com/gpu" || ps.Tolerations[0].Operator != corev1.TolerationOpExists ||
		ps.Tolerations[0].Effect != corev1.TaintEffectNoSchedule {
		t.Errorf("tolerations %+v", ps.Tolerations)
	}
	if ps.ServiceAccountName != "lockstep-runner" {
		t.Errorf("service account %q", ps.ServiceAccountName)
	}
}

var testSettings = map[string]string{"image": "registry.example/lockstep:test", "ttl": "120", "node_selector": "pool=train",
	"tolerations": "nvidia.com/gpu:NoSchedule", "egress_allow": "10.0.0.5/32", "service_account": "lockstep-runner"}

func TestJobIsHardened(t *testing.T) {
	b := unitBackend(t, testSettings)
	task := gpuTask(false)
	name := JobName(task, "n")
	job := b.Job(task, name)
	checkHardened(t, job, task)
	// Without the nodes' labels, the GPU type must be the label's value.
	if got := job.Spec.Template.Spec.NodeSelector["nvidia.com/gpu.product"]; got != "a100" {
		t.Errorf("gpu type selector %q", got)
	}
	if job.Spec.Template.Labels[LabelTask] != name || job.Annotations[AnnotationStep] != task.Step {
		t.Errorf("labels %v annotations %v", job.Spec.Template.Labels, job.Annotations)
	}
	untimed := task
	untimed.Resources = core.Resources{}
	j2 := b.Job(untimed, name)
	if j2.Spec.ActiveDeadlineSeconds != nil || len(j2.Spec.Template.Spec.Containers[0].Resources.Limits) != 0 {
		t.Errorf("a step asking for nothing got a deadline %v or limits %v", j2.Spec.ActiveDeadlineSeconds, j2.Spec.Template.Spec.Containers[0].Resources.Limits)
	}
}

func TestNetworkPolicyDeniesEgress(t *testing.T) {
	task := gpuTask(false)
	name := JobName(task, "n")
	p := unitBackend(t, testSettings).NetworkPolicy(task, name)
	if p.Spec.PodSelector.MatchLabels[LabelTask] != name || len(p.Spec.PodSelector.MatchLabels) != 1 {
		t.Errorf("the policy selects %v, not the task's pod alone", p.Spec.PodSelector.MatchLabels)
	}
	if !slices.Contains(p.Spec.PolicyTypes, "Egress") || !slices.Contains(p.Spec.PolicyTypes, "Ingress") || len(p.Spec.Ingress) != 0 {
		t.Errorf("policy types %v, ingress %v", p.Spec.PolicyTypes, p.Spec.Ingress)
	}
	if len(p.Spec.Egress) != 1 || len(p.Spec.Egress[0].To) != 1 || p.Spec.Egress[0].To[0].IPBlock.CIDR != "10.0.0.5/32" || len(p.Spec.Egress[0].Ports) != 0 {
		t.Errorf("egress %+v, want only the configured store address", p.Spec.Egress)
	}
	closed := unitBackend(t, map[string]string{"image": "i"}).NetworkPolicy(task, name)
	if len(closed.Spec.Egress) != 0 || !slices.Contains(closed.Spec.PolicyTypes, "Egress") {
		t.Errorf("with no egress_allow the policy allows %+v", closed.Spec.Egress)
	}
}

func TestJobNameIsADNSLabel(t *testing.T) {
	a := JobName(backend.Task{Spec: core.DigestOf([]byte("x")), Step: "Train[lr=3e-4,seed=2]/a very long step name indeed, longer than any"}, "1")
	b := JobName(backend.Task{Spec: core.DigestOf([]byte("x")), Step: "Train[lr=3e-4,seed=2]/a very long step name indeed, longer than any"}, "2")
	if errs := validation.IsDNS1123Label(a); len(errs) > 0 {
		t.Errorf("%q: %v", a, errs)
	}
	if a == b || !strings.HasPrefix(a, "lockstep-train-lr-3e-4-seed-2-a-") {
		t.Errorf("names %q and %q", a, b)
	}
}

func TestSettingsRefusedClearly(t *testing.T) {
	for kv, want := range map[[2]string]string{
		{"namespce", "x"}:            `unknown setting "namespce"`,
		{"slots", "0"}:               "positive integer",
		{"egress_allow", "db"}:       "CIDRs",
		{"tolerations", "a:Never"}:   "Effect",
		{"pull_policy", "Sometimes"}: "IfNotPresent",
		{"pvc", "shared"}:            "pvc_path",
	} {
		_, err := parseSettings(map[string]string{"image": "i", kv[0]: kv[1]})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %s: %v; want an error saying %q", kv[0], kv[1], err, want)
		}
	}
	local := backend.Config{Store: "file:///home/me/.lockstep", Catalog: "sqlite:///home/me/.lockstep/catalog.db", Settings: map[string]string{"image": "i"}}
	if _, err := Open(local); err == nil || !strings.Contains(err.Error(), "cannot reach file:///home/me/.lockstep") {
		t.Errorf("a file:// store the pods cannot see: %v", err)
	}
	onClaim, err := parseSettings(map[string]string{"image": "i", "pvc": "shared", "pvc_path": "/shared"})
	if err != nil || onClaim.reachable("file:///shared/h", "sqlite:///shared/h/catalog.db") != nil || onClaim.reachable("file:///sharedx/h") == nil {
		t.Errorf("a store on the claim: %v", err)
	}
	if _, err := parseSettings(map[string]string{}); err == nil || !strings.Contains(err.Error(), "image") {
		t.Errorf("no image: %v", err)
	}
}

// TestAPIServer runs the backend against a real kube-apiserver: the Job
// and NetworkPolicy it makes are accepted (validated and admitted) and
// stored as built, its pod passes the restricted Pod Security Standard,
// what no node could hold is refused before anything is made, a Job the
// server rejects is refused naming why, the watch sees a Job fail before
// its pod ran and a pod that waits, and a cancel deletes the Job with
// foreground propagation.
func TestAPIServer(t *testing.T) {
	srv := startAPIServer(t)
	rc, err := clientcmd.BuildConfigFromFlags("", srv.kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	client := k8s.NewForConfigOrDie(rc)
	ctx := context.Background()
	must(t)(client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNS,
		Labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}}}, metav1.CreateOptions{}))
	must(t)(client.CoreV1().ServiceAccounts(testNS).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "lockstep-runner"}}, metav1.CreateOptions{}))
	node, err := client.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "gpu-1",
		Labels: map[string]string{"nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB"}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node.Status.Capacity = corev1.ResourceList{"cpu": resource.MustParse("8"), "memory": resource.MustParse("64Gi"), "nvidia.com/gpu": resource.MustParse("4"), "pods": resource.MustParse("110")}
	node.Status.Allocatable = node.Status.Capacity
	if _, err := client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	open := func(t *testing.T, extra map[string]string) *Backend {
		kv := map[string]string{"kubeconfig": srv.kubeconfig}
		for k, v := range testSettings {
			kv[k] = v
		}
		for k, v := range extra {
			kv[k] = v
		}
		b, err := Open(backend.Config{Store: storeCfg.Store, Catalog: storeCfg.Catalog, Settings: kv})
		if err != nil {
			t.Fatal(err)
		}
		return b.(*Backend)
	}

	t.Run("HardenedJobAdmittedWatchedAndCancelled", func(t *testing.T) {
		b := open(t, nil)
		task := gpuTask(false)
		execCtx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var stderr core.Tail
		done := make(chan error, 1)
		go func() {
			_, err := b.Exec(execCtx, task, &core.Tail{}, &stderr)
			done <- err
		}()
		job := waitJob(t, client, task)
		checkHardened(t, job, task)
		aff := job.Spec.Template.Spec.Affinity
		if aff == nil || aff.NodeAffinity == nil || !strings.Contains(aff.NodeAffinity.String(), "NVIDIA-A100-SXM4-80GB") {
			t.Errorf("a100 did not become an affinity to the node's GPU label: %v", aff)
		}
		policy, err := client.NetworkingV1().NetworkPolicies(testNS).Get(ctx, job.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("no NetworkPolicy for a step without network: %v", err)
		}
		if len(policy.Spec.Egress) != 1 || policy.Spec.PodSelector.MatchLabels[LabelTask] != job.Name {
			t.Errorf("stored policy %+v", policy.Spec)
		}
		if !waitFor(10*time.Second, func() bool {
			p, err := client.NetworkingV1().NetworkPolicies(testNS).Get(ctx, job.Name, metav1.GetOptions{})
			return err == nil && len(p.OwnerReferences) == 1 && p.OwnerReferences[0].UID == job.UID
		}) {
			t.Error("the NetworkPolicy is not owned by its Job, so it would outlive it")
		}

		// The Job controller's part: make the pod from the template. The
		// namespace enforces the restricted Pod Security Standard.
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: job.Name + "-abcde", Labels: job.Spec.Template.Labels}, Spec: job.Spec.Template.Spec}
		pod, err = client.CoreV1().Pods(testNS).Create(ctx, pod, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("the Job's pod is not admitted under the restricted Pod Security Standard: %v", err)
		}
		weak := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: job.Name + "-weak"}, Spec: *job.Spec.Template.Spec.DeepCopy()}
		weak.Spec.Containers[0].SecurityContext.Capabilities = nil
		if _, err := client.CoreV1().Pods(testNS).Create(ctx, weak, metav1.CreateOptions{}); err == nil || !strings.Contains(err.Error(), "restricted") {
			t.Errorf("control: a pod keeping its capabilities was admitted (%v), so the check above proves nothing", err)
		}
		// The scheduler's part: the pod fits no node.
		pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable",
			Message: "0/1 nodes are available: 1 Insufficient nvidia.com/gpu."}}
		if _, err := client.CoreV1().Pods(testNS).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		if !waitFor(20*time.Second, func() bool { return strings.Contains(stderr.String(), "Insufficient nvidia.com/gpu") }) {
			t.Errorf("a pod that cannot be scheduled was not reported: stderr %q", stderr.String())
		}

		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("a cancelled Exec returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Exec did not return within 30s of the cancel")
		}
		// No garbage collector runs here, so the foreground deletion stays
		// visible: the Job is being deleted, waiting for its pod to go.
		got, err := client.BatchV1().Jobs(testNS).Get(ctx, job.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("after the cancel: %v", err)
		}
		if got.DeletionTimestamp == nil || !slices.Contains(got.Finalizers, metav1.FinalizerDeleteDependents) {
			t.Errorf("the cancelled Job is not being deleted in the foreground: deletion %v, finalizers %v", got.DeletionTimestamp, got.Finalizers)
		}
		if _, err := client.NetworkingV1().NetworkPolicies(testNS).Get(ctx, job.Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("the cancelled task's NetworkPolicy remains: %v", err)
		}
	})

	t.Run("JobFailedBeforeItsPodRan", func(t *testing.T) {
		b := open(t, nil)
		task := gpuTask(true)
		task.Spec = core.DigestOf([]byte("spec 2"))
		done := make(chan error, 1)
		go func() {
			_, err := b.Exec(context.Background(), task, &core.Tail{}, &core.Tail{})
			done <- err
		}()
		job := waitJob(t, client, task)
		if _, err := client.NetworkingV1().NetworkPolicies(testNS).Get(ctx, job.Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("a step with network got a NetworkPolicy: %v", err)
		}
		// The Job controller's part: the deadline passed.
		now := metav1.Now()
		job.Status.StartTime = &now
		job.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue, Reason: "DeadlineExceeded", Message: "Job was active longer than specified deadline", LastTransitionTime: now},
			{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, Reason: "DeadlineExceeded", Message: "Job was active longer than specified deadline", LastTransitionTime: now},
		}
		if _, err := client.BatchV1().Jobs(testNS).UpdateStatus(ctx, job, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "DeadlineExceeded") || !strings.Contains(err.Error(), "before its pod ran") {
				t.Errorf("a Job failed before its pod ran: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Exec did not see the Job fail")
		}
	})

	t.Run("RefusedBeforeSubmission", func(t *testing.T) {
		b := open(t, nil)
		if !b.capacityKnown || b.capacity.CPUs != 8 || b.capacity.GPUs != 4 {
			t.Fatalf("capacity read from the node: %+v", b.capacity)
		}
		before := countJobs(t, client)
		for what, res := range map[string]core.Resources{"cpus": {CPUs: 9}, "memory": {MemoryBytes: 65 << 30}, "gpus": {GPUs: 5}, "h100": {GPUs: 1, GPUType: "h100"}} {
			_, err := b.Exec(ctx, backend.Task{Spec: core.DigestOf([]byte(what)), Step: "big", Resources: res}, &core.Tail{}, &core.Tail{})
			if !errors.Is(err, backend.ErrRefused) || !strings.Contains(err.Error(), what) {
				t.Errorf("%s beyond the largest node: %v", what, err)
			}
		}
		if n := countJobs(t, client); n != before {
			t.Errorf("refused tasks left %d Jobs", n-before)
		}
	})

	t.Run("ServerRejectsTheJob", func(t *testing.T) {
		b := open(t, map[string]string{"node_selector": "bad key!=x"})
		_, err := b.Exec(ctx, backend.Task{Spec: core.DigestOf([]byte("bad")), Step: "s", Network: true}, &core.Tail{}, &core.Tail{})
		if !errors.Is(err, backend.ErrRefused) || !strings.Contains(err.Error(), "nodeSelector") {
			t.Errorf("a Job the server finds invalid: %v", err)
		}
	})
}

func must(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

func countJobs(t *testing.T, client k8s.Interface) int {
	t.Helper()
	list, err := client.BatchV1().Jobs(testNS).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return len(list.Items)
}

// waitJob returns the task's Job once the backend has made it.
func waitJob(t *testing.T, client k8s.Interface, task backend.Task) *batchv1.Job {
	t.Helper()
	var found *batchv1.Job
	waitFor(20*time.Second, func() bool {
		list, err := client.BatchV1().Jobs(testNS).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			return false
		}
		for i, j := range list.Items {
			if j.Annotations[AnnotationSpec] == task.Spec.String() {
				found = &list.Items[i]
				return true
			}
		}
		return false
	})
	if found == nil {
		t.Fatal("the backend made no Job within 20s")
	}
	return found
}

func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestContract runs the backend contract suite on a real cluster: one
// named by $LOCKSTEP_TEST_KUBECONFIG, running $LOCKSTEP_TEST_KUBE_IMAGE,
// with a folder both this machine and the pods see at the same path
// ($LOCKSTEP_TEST_KUBE_SHARED, the mount of PersistentVolumeClaim
// $LOCKSTEP_TEST_KUBE_PVC) for the file:// store and sqlite catalog.
func TestContract(t *testing.T) {
	kc := os.Getenv("LOCKSTEP_TEST_KUBECONFIG")
	image, shared, pvc := os.Getenv("LOCKSTEP_TEST_KUBE_IMAGE"), os.Getenv("LOCKSTEP_TEST_KUBE_SHARED"), os.Getenv("LOCKSTEP_TEST_KUBE_PVC")
	if kc == "" || image == "" || shared == "" || pvc == "" {
		t.Skip("no cluster: set LOCKSTEP_TEST_KUBECONFIG, LOCKSTEP_TEST_KUBE_IMAGE, LOCKSTEP_TEST_KUBE_SHARED and LOCKSTEP_TEST_KUBE_PVC to run the contract suite on Kubernetes (pods need a kubelet)")
	}
	backendtest.Run(t, backendtest.Suite{
		Exe: lockstepBin,
		Open: func(t *testing.T, cfg backend.Config) backend.Backend {
			cfg.Settings = map[string]string{"kubeconfig": kc, "image": image, "pvc": pvc, "pvc_path": shared, "ttl": "60"}
			b, err := Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			return b
		},
		Dir: func(t *testing.T) string {
			dir, err := os.MkdirTemp(shared, "contract-")
			if err != nil {
				t.Fatal(err)
			}
			os.Chmod(dir, 0o777)
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		},
	})
}
