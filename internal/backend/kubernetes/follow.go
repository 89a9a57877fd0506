package kubernetes

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"

	"lockstep.dev/lockstep/internal/backend"
	"lockstep.dev/lockstep/internal/core"
)

// follow waits for the Job's pod to start, streams its log while it runs
// and returns the reported record. A Job that ends with no pod that ran
// (its deadline passed while the pod was pending, say) is an error saying
// why. Pods that wait (unschedulable, image not pulled) are reported on
// stderr, once per reason.
func (b *Backend) follow(ctx context.Context, t backend.Task, job *batchv1.Job, stdout, stderr io.Writer) (core.Digest, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	started := make(chan *corev1.Pod, 1)
	finished := make(chan *batchv1.Job, 1)
	failed := make(chan error, 2)
	waiting := &waitReporter{w: stderr, seen: map[string]bool{}}
	go func() {
		ev, err := watchtools.UntilWithSync(ctx, b.podsLW(job.Name), &corev1.Pod{}, nil, func(e watch.Event) (bool, error) {
			pod, ok := e.Object.(*corev1.Pod)
			if !ok {
				return false, nil
			}
			waiting.report(pod)
			return podStarted(pod), nil
		})
		if err != nil {
			failed <- err
			return
		}
		started <- ev.Object.(*corev1.Pod)
	}()
	go func() {
		ev, err := watchtools.UntilWithSync(ctx, b.jobLW(job.Name), &batchv1.Job{}, nil, func(e watch.Event) (bool, error) {
			j, ok := e.Object.(*batchv1.Job)
			return ok && jobOutcome(j) != "", nil
		})
		if err != nil {
			failed <- err
			return
		}
		finished <- ev.Object.(*batchv1.Job)
	}()
	var pod *corev1.Pod
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case err := <-failed:
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("kubernetes: watch job %s: %w", job.Name, err)
	case pod = <-started:
	case j := <-finished:
		if pod = b.ranPod(ctx, job.Name); pod == nil {
			return "", fmt.Errorf("kubernetes job %s of step %s ended before its pod ran: %s", job.Name, t.Step, jobOutcome(j))
		}
	}
	report := backend.NewReportReader(stdout)
	diag := &core.Tail{Max: 4096}
	if err := b.streamLogs(ctx, pod.Name, report, io.MultiWriter(stderr, diag)); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		fmt.Fprintf(diag, "\nlog of pod %s: %v", pod.Name, err)
	}
	end := b.podEnd(ctx, pod.Name)
	d, rerr := report.Record()
	if rerr == nil {
		return d, nil
	}
	return "", fmt.Errorf("kubernetes job %s of step %s ended (%s) with no task record: %w: %s", job.Name, t.Step, end, rerr, strings.TrimSpace(diag.String()))
}

func (b *Backend) podsLW(job string) cache.ListerWatcher {
	pods := b.client.pods(b.settings.namespace)
	sel := labels.SelectorFromSet(labels.Set{LabelTask: job}).String()
	return listWatch(pods.List, pods.Watch, func(o *metav1.ListOptions) { o.LabelSelector = sel })
}

func (b *Backend) jobLW(job string) cache.ListerWatcher {
	jobs := b.client.jobs(b.settings.namespace)
	sel := fields.OneTermEqualSelector("metadata.name", job).String()
	return listWatch(jobs.List, jobs.Watch, func(o *metav1.ListOptions) { o.FieldSelector = sel })
}

// listWatch lists and watches one kind of object, narrowed by narrow.
func listWatch[L runtime.Object](list func(context.Context, metav1.ListOptions) (L, error),
	watchFn func(context.Context, metav1.ListOptions) (watch.Interface, error), narrow func(*metav1.ListOptions)) cache.ListerWatcher {
	return &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			narrow(&o)
			return list(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			narrow(&o)
			return watchFn(ctx, o)
		},
	}
}

// podStarted reports whether the executor's container has run, so its
// log can be read.
func podStarted(pod *corev1.Pod) bool {
	for _, s := range pod.Status.ContainerStatuses {
		if s.Name == containerName && (s.State.Running != nil || s.State.Terminated != nil && !s.State.Terminated.StartedAt.IsZero()) {
			return true
		}
	}
	return false
}

// ranPod returns the Job's pod whose container ran, if any.
func (b *Backend) ranPod(ctx context.Context, job string) *corev1.Pod {
	list, err := b.client.pods(b.settings.namespace).List(ctx, metav1.ListOptions{
		LabelSelector: labels.SelectorFromSet(labels.Set{LabelTask: job}).String()})
	if err != nil {
		return nil
	}
	for i := range list.Items {
		if podStarted(&list.Items[i]) {
			return &list.Items[i]
		}
	}
	return nil
}

// streamLogs follows the container's log until it ends: stdout to the
// report reader and stderr to stderr where the cluster can split them
// (the PodLogsQuerySplitStreams feature), else both, interleaved, to the
// report reader.
func (b *Backend) streamLogs(ctx context.Context, pod string, report io.Writer, stderr io.Writer) error {
	pods := b.client.pods(b.settings.namespace)
	open := func(stream *string) (io.ReadCloser, error) {
		return pods.Logs(ctx, pod, &corev1.PodLogOptions{Container: containerName, Follow: true, Stream: stream})
	}
	out, err := open(ptr(corev1.LogStreamStdout))
	if apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) {
		all, err := open(nil)
		if err != nil {
			return err
		}
		defer all.Close()
		_, err = io.Copy(report, all)
		return err
	}
	if err != nil {
		return err
	}
	defer out.Close()
	errs, err := open(ptr(corev1.LogStreamStderr))
	if err != nil {
		return err
	}
	defer errs.Close()
	var wg sync.WaitGroup
	var errErr error
	wg.Go(func() { _, errErr = io.Copy(stderr, errs) })
	_, outErr := io.Copy(report, out)
	wg.Wait()
	if outErr != nil {
		return outErr
	}
	return errErr
}

// podEnd waits, a little, for the container to have ended and says how.
func (b *Backend) podEnd(ctx context.Context, pod string) string {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	pods := b.client.pods(b.settings.namespace)
	for {
		p, err := pods.Get(ctx, pod, metav1.GetOptions{})
		if err != nil {
			return "pod " + pod + ": " + err.Error()
		}
		for _, s := range p.Status.ContainerStatuses {
			if s.Name == containerName && s.State.Terminated != nil {
				x := s.State.Terminated
				return strings.TrimSpace(fmt.Sprintf("pod %s: exit code %d %s %s", pod, x.ExitCode, x.Reason, x.Message))
			}
		}
		select {
		case <-ctx.Done():
			return "pod " + pod + " " + string(p.Status.Phase)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// waitReporter tells the user, once per reason, why a pod has not
// started: unschedulable, an image that cannot be pulled, a missing
// secret.
type waitReporter struct {
	mu   sync.Mutex
	w    io.Writer
	seen map[string]bool
}

func (r *waitReporter) report(pod *corev1.Pod) {
	var why []string
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason != "" {
			why = append(why, strings.TrimSpace(c.Reason+": "+c.Message))
		}
	}
	for _, s := range pod.Status.ContainerStatuses {
		if w := s.State.Waiting; w != nil && w.Reason != "" && w.Reason != "ContainerCreating" {
			why = append(why, strings.TrimSpace(w.Reason+": "+w.Message))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, y := range why {
		if !r.seen[y] {
			r.seen[y] = true
			fmt.Fprintf(r.w, "lockstep: kubernetes pod %s waits: %s\n", pod.Name, y)
		}
	}
}
