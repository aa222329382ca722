package clusters

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// Deploy applies manifests (multi-document YAML) to the cluster.
func (c *Cluster) Deploy(ctx context.Context, manifests []byte) error {
	objs, err := DecodeObjects(manifests)
	if err != nil {
		return err
	}
	return c.DeployObjects(ctx, objs)
}

// DeployObjects applies decoded objects, after the provider has checked
// their images.
func (c *Cluster) DeployObjects(ctx context.Context, objs []*unstructured.Unstructured) error {
	if err := c.clients(); err != nil {
		return err
	}
	if checker, ok := c.Provider.(ImageChecker); ok {
		if err := checker.CheckImages(manifestImages(objs)); err != nil {
			return err
		}
	}
	return applyObjects(ctx, c.config, objs)
}

// Apply server-side-applies every object in a multi-document YAML stream,
// in order. Kinds defined by a CRD earlier in the stream (or just
// installed) are retried until the API server serves them.
func Apply(ctx context.Context, cfg *rest.Config, manifests []byte) error {
	objs, err := DecodeObjects(manifests)
	if err != nil {
		return err
	}
	return applyObjects(ctx, cfg, objs)
}

// ApplyObjects is Apply of decoded objects, checking no images: for
// cluster add-ons whose images the provider itself loaded.
func ApplyObjects(ctx context.Context, cfg *rest.Config, objs []*unstructured.Unstructured) error {
	return applyObjects(ctx, cfg, objs)
}

func applyObjects(ctx context.Context, cfg *rest.Config, objs []*unstructured.Unstructured) error {
	dyn, mapper, err := dynamicClients(cfg)
	if err != nil {
		return err
	}
	for _, obj := range objs {
		if err := applyOne(ctx, dyn, mapper, obj); err != nil {
			return err
		}
	}
	return nil
}

func applyOne(ctx context.Context, dyn dynamic.Interface, mapper *restmapper.DeferredDiscoveryRESTMapper, obj *unstructured.Unstructured) error {
	gvk := obj.GroupVersionKind()
	what := fmt.Sprintf("%s %q", gvk.Kind, obj.GetName())
	var last error
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if meta.IsNoMatchError(err) {
			mapper.Reset() // a CRD may have just become established
			last = err
			return false, nil
		}
		if err != nil {
			return false, err
		}
		ri := dyn.Resource(m.Resource)
		var r dynamic.ResourceInterface = ri
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			ns := obj.GetNamespace()
			if ns == "" {
				ns = metav1.NamespaceDefault
			}
			r = ri.Namespace(ns)
		}
		_, err = r.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
		last = err
		return err == nil, nil
	})
	if err != nil {
		if last != nil {
			err = last
		}
		return fmt.Errorf("applying %s: %w", what, err)
	}
	return nil
}

// DecodeObjects reads a multi-document YAML stream.
func DecodeObjects(manifests []byte) ([]*unstructured.Unstructured, error) {
	dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(manifests), 4096)
	var objs []*unstructured.Unstructured
	for i := 1; ; i++ {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return objs, nil
			}
			return nil, fmt.Errorf("manifest document %d: %w", i, err)
		}
		if len(m) == 0 {
			continue
		}
		obj := &unstructured.Unstructured{Object: m}
		if obj.GetKind() == "" || obj.GetAPIVersion() == "" || obj.GetName() == "" {
			return nil, fmt.Errorf("manifest document %d: needs apiVersion, kind and metadata.name", i)
		}
		objs = append(objs, obj)
	}
}

// WaitServed waits until the API server serves every resource named (a
// CRD just applied is served a moment later): a controller that starts
// before that fails to set up its watches and indexers.
func WaitServed(ctx context.Context, cfg *rest.Config, groupVersion string, resources ...string) error {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	var missing []string
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		list, err := dc.ServerResourcesForGroupVersion(groupVersion)
		served := map[string]bool{}
		if err == nil {
			for _, r := range list.APIResources {
				served[r.Name] = true
			}
		}
		missing = slices.DeleteFunc(slices.Clone(resources), func(r string) bool { return served[r] })
		return len(missing) == 0, nil
	})
	if err != nil {
		return fmt.Errorf("%s %v not served: %w", groupVersion, missing, err)
	}
	return nil
}

// DeleteObjects deletes objects in reverse order (what was applied last
// goes first), ignoring those already gone or whose kind is no longer
// served.
func DeleteObjects(ctx context.Context, cfg *rest.Config, objs []*unstructured.Unstructured) error {
	dyn, mapper, err := dynamicClients(cfg)
	if err != nil {
		return err
	}
	var errs []error
	for _, obj := range slices.Backward(objs) {
		gvk := obj.GroupVersionKind()
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if meta.IsNoMatchError(err) {
			continue // its CRD went first
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var r dynamic.ResourceInterface = dyn.Resource(m.Resource)
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			r = dyn.Resource(m.Resource).Namespace(obj.GetNamespace())
		}
		if err := r.Delete(ctx, obj.GetName(), metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting %s %q: %w", gvk.Kind, obj.GetName(), err))
		}
	}
	return errors.Join(errs...)
}

// dynamicClients are a dynamic client and a REST mapper that rediscovers
// kinds on Reset (a CRD just installed).
func dynamicClients(cfg *rest.Config) (dynamic.Interface, *restmapper.DeferredDiscoveryRESTMapper, error) {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, nil, err
	}
	return dyn, restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)), nil
}
