package clusters

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// Handlers receive watch events; nil handlers are skipped. old is nil on
// add, new is nil on delete.
type Handlers struct {
	Pod   func(old, new *corev1.Pod)
	Node  func(old, new *corev1.Node)
	Event func(*corev1.Event)
}

// Watch runs informers for pods, nodes and events until ctx ends. It
// returns once the caches have synced.
func (c *Cluster) Watch(ctx context.Context, h Handlers) error {
	client, err := c.Client()
	if err != nil {
		return err
	}
	f := informers.NewSharedInformerFactory(client, 10*time.Minute)
	var synced []cache.InformerSynced
	if h.Pod != nil {
		inf := f.Core().V1().Pods().Informer()
		if _, err := inf.AddEventHandler(typed(h.Pod)); err != nil {
			return err
		}
		synced = append(synced, inf.HasSynced)
	}
	if h.Node != nil {
		inf := f.Core().V1().Nodes().Informer()
		if _, err := inf.AddEventHandler(typed(h.Node)); err != nil {
			return err
		}
		synced = append(synced, inf.HasSynced)
	}
	if h.Event != nil {
		inf := f.Core().V1().Events().Informer()
		if _, err := inf.AddEventHandler(typed(func(_, e *corev1.Event) {
			if e != nil {
				h.Event(e)
			}
		})); err != nil {
			return err
		}
		synced = append(synced, inf.HasSynced)
	}
	f.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return fmt.Errorf("watch: caches did not sync: %w", ctx.Err())
	}
	go func() { <-ctx.Done(); f.Shutdown() }()
	return nil
}

// typed adapts a typed (old, new) callback to client-go's handler.
func typed[T any](fn func(old, new *T)) cache.ResourceEventHandlerFuncs {
	as := func(obj any) *T {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		t, _ := obj.(*T)
		return t
	}
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { fn(nil, as(obj)) },
		UpdateFunc: func(old, new any) { fn(as(old), as(new)) },
		DeleteFunc: func(obj any) { fn(as(obj), nil) },
	}
}
