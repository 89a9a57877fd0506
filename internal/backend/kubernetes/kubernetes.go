package kubernetes

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/core"
)

// Name is the Kubernetes backend's registry name.
const Name = "kubernetes"

// DefaultSlots is how many Jobs a run keeps at once when the
// configuration does not say (slots:).
const DefaultSlots = 64

// Backend runs each task as a Kubernetes Job.
type Backend struct {
	cfg      backend.Config
	settings settings
	exe      string
	client   *api
	// capacity bounds what one task may ask for: the largest node's
	// allocatable resources, when the nodes could be read (capacityKnown).
	capacity      backend.Capacity
	capacityKnown bool
}

var _ backend.Backend = (*Backend)(nil)

// Open returns the Kubernetes backend for cfg; it is the backend.Opener
// registered under Name. The cluster is the one of cfg.Settings'
// kubeconfig and context (default: $KUBECONFIG or ~/.kube/config, else the
// in-cluster service account); the other settings are in settingKeys and
// the README. The nodes' allocatable resources, when the credentials may
// list nodes, bound what one task may ask for.
func Open(cfg backend.Config) (backend.Backend, error) {
	if cfg.Store == "" || cfg.Catalog == "" {
		return nil, errors.New("the kubernetes backend needs the store and catalog URLs the pods reach")
	}
	s, err := parseSettings(cfg.Settings)
	if err != nil {
		return nil, err
	}
	if err := s.reachable(cfg.Store, cfg.Catalog); err != nil {
		return nil, err
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = s.kubeconfig
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: s.context})
	rc, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubernetes: no cluster: %w (set backends: kubernetes: kubeconfig: and context:, or $KUBECONFIG)", err)
	}
	if s.namespace == "" {
		if s.namespace, _, err = cc.Namespace(); err != nil {
			return nil, fmt.Errorf("kubernetes: namespace: %w", err)
		}
	}
	return newBackend(cfg, s, rc)
}

// newBackend returns the backend for parsed settings and a REST config
// (Open reads both from the home's settings).
func newBackend(cfg backend.Config, s settings, rc *rest.Config) (*Backend, error) {
	rc = rest.CopyConfig(rc)
	rc.UserAgent = "lockstep"
	c, err := newAPI(rc)
	if err != nil {
		return nil, fmt.Errorf("kubernetes: client: %w", err)
	}
	b := &Backend{cfg: cfg, settings: s, exe: s.exe, client: c}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.readCapacity(ctx); err != nil {
		return nil, err
	}
	return b, nil
}

// Info reports the configured number of Jobs to keep at once.
func (b *Backend) Info() backend.Info { return backend.Info{Name: Name, Slots: b.settings.slots} }

// readCapacity reads the largest node's allocatable CPUs, memory and GPUs
// and the GPU types its label names. Credentials that may not list nodes
// (usual for a namespace's service account) leave the check to the
// scheduler: a pod that fits no node stays pending, reported on stderr.
func (b *Backend) readCapacity(ctx context.Context) error {
	nodes, err := b.client.nodes().List(ctx, metav1.ListOptions{})
	if apierrors.IsForbidden(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("kubernetes: cannot reach the cluster: %w", err)
	}
	var c backend.Capacity
	for _, n := range nodes.Items {
		a := n.Status.Allocatable
		c.CPUs = max(c.CPUs, a.Cpu().AsApproximateFloat64())
		c.MemoryBytes = max(c.MemoryBytes, a.Memory().Value())
		if q, ok := a[corev1.ResourceName(b.settings.gpuResource)]; ok {
			c.GPUs = max(c.GPUs, int(q.Value()))
		}
		if v := n.Labels[b.settings.gpuTypeLabel]; v != "" && !slices.Contains(c.GPUTypes, v) {
			c.GPUTypes = append(c.GPUTypes, v)
		}
	}
	b.capacity, b.capacityKnown = c, len(nodes.Items) > 0
	return nil
}

// Exec creates the task's Job (and, for a step without network, its
// NetworkPolicy first), follows its pod's log while it runs and returns
// the record the executor reported. When ctx ends first the Job is deleted
// with foreground propagation, which deletes its pod.
func (b *Backend) Exec(ctx context.Context, t backend.Task, stdout, stderr io.Writer) (core.Digest, error) {
	if b.capacityKnown {
		if err := b.capacity.Check(Name, t); err != nil {
			return "", err
		}
	}
	name := JobName(t, nonce())
	if !t.Network {
		if _, err := b.client.networkPolicies(b.settings.namespace).Create(ctx, b.NetworkPolicy(t, name), metav1.CreateOptions{}); err != nil {
			return "", fmt.Errorf("kubernetes: network policy for step %s: %w", t.Step, err)
		}
	}
	job, err := b.client.jobs(b.settings.namespace).Create(ctx, b.Job(t, name), metav1.CreateOptions{})
	if err != nil {
		b.deletePolicy(name)
		if apierrors.IsInvalid(err) || apierrors.IsForbidden(err) {
			return "", fmt.Errorf("step %s: %w by backend %s: the cluster refused its Job: %v", t.Step, backend.ErrRefused, Name, err)
		}
		return "", fmt.Errorf("kubernetes: create job for step %s: %w", t.Step, err)
	}
	if !t.Network {
		b.ownPolicy(ctx, job)
	}
	d, err := b.follow(ctx, t, job, stdout, stderr)
	if ctx.Err() != nil {
		b.Cancel(name)
		return "", fmt.Errorf("kubernetes job %s: %w (deleted)", name, ctx.Err())
	}
	return d, err
}

// nonce makes each Exec's Job name new.
func nonce() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ownPolicy makes the Job the owner of its NetworkPolicy, so the policy
// goes when the Job does (deleted, or collected after its TTL).
func (b *Backend) ownPolicy(ctx context.Context, job *batchv1.Job) {
	policies := b.client.networkPolicies(b.settings.namespace)
	p, err := policies.Get(ctx, job.Name, metav1.GetOptions{})
	if err != nil {
		return
	}
	p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: job.Name, UID: job.UID}}
	policies.Update(ctx, p.Name, p)
}

// Cancel deletes Job name with foreground propagation (its pod goes
// first) and its NetworkPolicy.
func (b *Backend) Cancel(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := b.client.jobs(b.settings.namespace).Delete(ctx, name,
		metav1.DeleteOptions{PropagationPolicy: ptr(metav1.DeletePropagationForeground)})
	b.deletePolicy(name)
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("kubernetes: delete job %s: %w", name, err)
	}
	return nil
}

func (b *Backend) deletePolicy(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b.client.networkPolicies(b.settings.namespace).Delete(ctx, name, metav1.DeleteOptions{})
}

// jobOutcome says why a Job finished, from its Complete or Failed
// condition; "" while it runs.
func jobOutcome(j *batchv1.Job) string {
	for _, c := range j.Status.Conditions {
		if c.Status == corev1.ConditionTrue && (c.Type == batchv1.JobFailed || c.Type == batchv1.JobComplete) {
			return strings.TrimSpace(string(c.Type) + " " + c.Reason + ": " + c.Message)
		}
	}
	return ""
}
