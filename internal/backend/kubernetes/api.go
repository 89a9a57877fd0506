package kubernetes

import (
	"context"
	"fmt"
	"io"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
)

// api is the part of the Kubernetes API the backend uses: pods, nodes,
// Jobs and NetworkPolicies, through REST clients over a scheme of just
// those three groups. client-go's typed clients would link its scheme of
// every API group, whose registration costs every lockstep process (the
// executor included) tens of milliseconds at start-up.
type api struct {
	core, batch, networking *rest.RESTClient
	params                  runtime.ParameterCodec
}

// newAPI returns the clients for rc.
func newAPI(rc *rest.Config) (*api, error) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, batchv1.AddToScheme, networkingv1.AddToScheme} {
		if err := add(scheme); err != nil {
			return nil, err
		}
	}
	metav1.AddToGroupVersion(scheme, schema.GroupVersion{Version: "v1"})
	codecs := serializer.NewCodecFactory(scheme)
	client := func(gv schema.GroupVersion, apiPath string) (*rest.RESTClient, error) {
		c := rest.CopyConfig(rc)
		c.GroupVersion, c.APIPath = &gv, apiPath
		c.NegotiatedSerializer = codecs.WithoutConversion()
		if c.ContentType == "" {
			c.ContentType = runtime.ContentTypeJSON
		}
		return rest.RESTClientFor(c)
	}
	a := &api{params: runtime.NewParameterCodec(scheme)}
	var err error
	if a.core, err = client(corev1.SchemeGroupVersion, "/api"); err != nil {
		return nil, err
	}
	if a.batch, err = client(batchv1.SchemeGroupVersion, "/apis"); err != nil {
		return nil, err
	}
	if a.networking, err = client(networkingv1.SchemeGroupVersion, "/apis"); err != nil {
		return nil, err
	}
	return a, nil
}

// objects is one kind of object in one namespace ("" for cluster-wide).
type objects[T, L runtime.Object] struct {
	c         *rest.RESTClient
	params    runtime.ParameterCodec
	namespace string
	plural    string
	newObj    func() T
	newList   func() L
}

func (a *api) pods(ns string) objects[*corev1.Pod, *corev1.PodList] {
	return objects[*corev1.Pod, *corev1.PodList]{a.core, a.params, ns, "pods", func() *corev1.Pod { return new(corev1.Pod) }, func() *corev1.PodList { return new(corev1.PodList) }}
}

func (a *api) nodes() objects[*corev1.Node, *corev1.NodeList] {
	return objects[*corev1.Node, *corev1.NodeList]{a.core, a.params, "", "nodes", func() *corev1.Node { return new(corev1.Node) }, func() *corev1.NodeList { return new(corev1.NodeList) }}
}

func (a *api) jobs(ns string) objects[*batchv1.Job, *batchv1.JobList] {
	return objects[*batchv1.Job, *batchv1.JobList]{a.batch, a.params, ns, "jobs", func() *batchv1.Job { return new(batchv1.Job) }, func() *batchv1.JobList { return new(batchv1.JobList) }}
}

func (a *api) networkPolicies(ns string) objects[*networkingv1.NetworkPolicy, *networkingv1.NetworkPolicyList] {
	return objects[*networkingv1.NetworkPolicy, *networkingv1.NetworkPolicyList]{a.networking, a.params, ns, "networkpolicies",
		func() *networkingv1.NetworkPolicy { return new(networkingv1.NetworkPolicy) }, func() *networkingv1.NetworkPolicyList { return new(networkingv1.NetworkPolicyList) }}
}

// Create creates obj and returns the object the server stored.
func (r objects[T, L]) Create(ctx context.Context, obj T, _ metav1.CreateOptions) (T, error) {
	out := r.newObj()
	err := r.c.Post().Namespace(r.namespace).Resource(r.plural).Body(obj).Do(ctx).Into(out)
	return out, err
}

// Get reads object name.
func (r objects[T, L]) Get(ctx context.Context, name string, _ metav1.GetOptions) (T, error) {
	out := r.newObj()
	err := r.c.Get().Namespace(r.namespace).Resource(r.plural).Name(name).Do(ctx).Into(out)
	return out, err
}

// Update replaces object name with obj.
func (r objects[T, L]) Update(ctx context.Context, name string, obj T) (T, error) {
	out := r.newObj()
	err := r.c.Put().Namespace(r.namespace).Resource(r.plural).Name(name).Body(obj).Do(ctx).Into(out)
	return out, err
}

// Delete deletes object name.
func (r objects[T, L]) Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error {
	return r.c.Delete().Namespace(r.namespace).Resource(r.plural).Name(name).Body(&opts).Do(ctx).Error()
}

// List lists the objects opts select.
func (r objects[T, L]) List(ctx context.Context, opts metav1.ListOptions) (L, error) {
	out := r.newList()
	err := r.c.Get().Namespace(r.namespace).Resource(r.plural).VersionedParams(&opts, r.params).Do(ctx).Into(out)
	return out, err
}

// Watch watches the objects opts select.
func (r objects[T, L]) Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error) {
	opts.Watch = true
	return r.c.Get().Namespace(r.namespace).Resource(r.plural).VersionedParams(&opts, r.params).Watch(ctx)
}

// Logs streams the log of pod name (a pods resource only).
func (r objects[T, L]) Logs(ctx context.Context, name string, opts *corev1.PodLogOptions) (io.ReadCloser, error) {
	if r.plural != "pods" {
		return nil, fmt.Errorf("kubernetes: %s have no logs", r.plural)
	}
	return r.c.Get().Namespace(r.namespace).Resource(r.plural).Name(name).SubResource("log").VersionedParams(opts, r.params).Stream(ctx)
}
