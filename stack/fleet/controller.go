package fleet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// Annotations fleetd keeps on room pods.
const (
	TemplateHashLabel   = "fleetbench.dev/template-hash"
	DeletionCostKey     = "controller.kubernetes.io/pod-deletion-cost"
	SafeToEvictKey      = "cluster-autoscaler.kubernetes.io/safe-to-evict"
	DoNotDisruptKey     = "karpenter.sh/do-not-disrupt"
	noneSinceAnnotation = "fleetbench.dev/none-since"
)

// Config is one fleet.
type Config struct {
	Namespace, Template string // the PodTemplate room pods are made from
	Buffer              policy.Buffer
	Update              Update
	IdleTimeout         time.Duration
	SyncInterval        time.Duration // 0: reconcile on every change
	// Waiting, when set, reports how many matches wait for a room (the
	// demand-aware policies add them); see MatchmakerWaiting.
	Waiting func(ctx context.Context, pods []*corev1.Pod) (int, error)
	// WaitingChange, when set with no SyncInterval, long-polls the number
	// of waiting matches so that a match starting to wait triggers a
	// reconcile at once, as every event does in the model; see
	// MatchmakerWaitingChange.
	WaitingChange func(ctx context.Context, pods []*corev1.Pod, unlike int) (int, error)
}

// Controller reconciles the fleet.
type Controller struct {
	cfg    Config
	client kubernetes.Interface
	log    *slog.Logger
	pods   cache.Store
	tmpls  cache.Store
	kick   chan struct{}
	// replicas is the policy's size at the last tick (the loop's alone).
	replicas int

	// expect holds this controller's creates and deletes the cache has not
	// shown yet (the loop's alone).
	expect expectations

	// drained matches still count as in play (the loop's alone).
	drained drained

	mu        sync.Mutex
	noneSince map[string]time.Time // when each room was last seen turning None
}

// New returns a controller; Run starts it.
func New(cfg Config, client kubernetes.Interface, log *slog.Logger) *Controller {
	if log == nil {
		log = slog.New(slog.DiscardHandler) // a library caller need not log
	}
	return &Controller{cfg: cfg, client: client, log: log, kick: make(chan struct{}, 1), noneSince: map[string]time.Time{}, expect: newExpectations()}
}

// Run watches the room pods and the template and reconciles until ctx ends.
func (c *Controller) Run(ctx context.Context) error {
	f := informers.NewSharedInformerFactoryWithOptions(c.client, 10*time.Minute, informers.WithNamespace(c.cfg.Namespace))
	pods := f.Core().V1().Pods().Informer()
	tmpls := f.Core().V1().PodTemplates().Informer()
	h := cache.ResourceEventHandlerFuncs{AddFunc: func(any) { c.poke() }, UpdateFunc: func(any, any) { c.poke() }, DeleteFunc: func(any) { c.poke() }}
	for _, inf := range []cache.SharedIndexInformer{pods, tmpls} {
		if _, err := inf.AddEventHandler(h); err != nil {
			return err
		}
	}
	c.pods, c.tmpls = pods.GetStore(), tmpls.GetStore()
	f.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), pods.HasSynced, tmpls.HasSynced) {
		return fmt.Errorf("fleet caches did not sync: %w", ctx.Err())
	}
	resync := c.cfg.SyncInterval
	if resync <= 0 {
		resync = 10 * time.Second // a safety net; changes drive reconciles
	}
	ticks := newTicker(resync, time.Now())
	defer ticks.stop()
	if c.cfg.WaitingChange != nil && c.cfg.SyncInterval <= 0 {
		go c.watchWaiting(ctx)
	}
	// With a syncInterval the policy is consulted on the tick only, like
	// OpenKruiseGame's polling autoscaler; changes in between get the
	// workload controller's step (Maintain), as in the model.
	tick := true
	for {
		if err := c.reconcile(ctx, tick || c.cfg.SyncInterval <= 0); err != nil {
			c.log.Warn("reconcile", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticks.C():
			ticks.next()
			tick = true
		case <-c.kick:
			if epoch, ok := c.tickEpoch(); ok && ticks.align(epoch, time.Now()) {
				c.log.Info("ticks aligned", "epoch", epoch)
			}
			tick = false
		}
	}
}

// tickEpoch reads the run's clock start from the template, if set.
func (c *Controller) tickEpoch() (time.Time, bool) {
	obj, ok, err := c.tmpls.GetByKey(c.cfg.Namespace + "/" + c.cfg.Template)
	if err != nil || !ok {
		return time.Time{}, false
	}
	v, ok := obj.(*corev1.PodTemplate).Annotations[wire.TickEpochAnnotation]
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	return t, err == nil
}

// watchWaiting pokes a reconcile whenever the number of waiting matches
// changes (long polls; a failed one is retried after a second).
func (c *Controller) watchWaiting(ctx context.Context) {
	last := -1
	for ctx.Err() == nil {
		var pods []*corev1.Pod
		for _, o := range c.pods.List() {
			pods = append(pods, o.(*corev1.Pod))
		}
		n, err := c.cfg.WaitingChange(ctx, pods, last)
		if err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		if n != last {
			last = n
			c.poke()
		}
	}
}

func (c *Controller) poke() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// reconcile applies one plan: the policy's (Decide) when tick, else the
// workload controller's at the last tick's replicas (Maintain).
func (c *Controller) reconcile(ctx context.Context, tick bool) error {
	obj, ok, err := c.tmpls.GetByKey(c.cfg.Namespace + "/" + c.cfg.Template)
	if err != nil || !ok {
		return fmt.Errorf("pod template %s/%s not found", c.cfg.Namespace, c.cfg.Template)
	}
	tmpl := obj.(*corev1.PodTemplate)
	hash := templateHash(tmpl)
	pods := map[string]*corev1.Pod{}
	var rooms []Room
	now := time.Now()
	inCache := map[string]bool{}
	for _, o := range c.pods.List() {
		p := o.(*corev1.Pod)
		inCache[p.Name] = true
		if c.expect.observe(p) || p.Labels[TemplateHashLabel] == "" || p.DeletionTimestamp != nil || !owned(p, tmpl) {
			continue
		}
		pods[p.Name] = p
		rooms = append(rooms, c.room(p, hash, now))
	}
	// Rooms created but not yet in the cache count; rooms deleted but still
	// there do not (skipped above).
	rooms = append(rooms, c.expect.pending(now, inCache)...)
	if !tick {
		return c.apply(ctx, tmpl, hash, pods, Maintain(rooms, c.replicas, c.cfg.Update))
	}
	waiting := 0
	if c.cfg.Waiting != nil {
		var all []*corev1.Pod
		for _, o := range c.pods.List() {
			all = append(all, o.(*corev1.Pod))
		}
		if waiting, err = c.cfg.Waiting(ctx, all); err != nil {
			c.log.Warn("waiting matches unknown; counting none", "err", err)
		}
	}
	plan := Decide(rooms, c.cfg.Buffer, c.cfg.Update, c.cfg.IdleTimeout, waiting, c.drained.count(now, rooms))
	c.replicas = plan.Desired
	return c.apply(ctx, tmpl, hash, pods, plan)
}

// apply carries a plan out and keeps every room's annotations in step.
func (c *Controller) apply(ctx context.Context, tmpl *corev1.PodTemplate, hash string, pods map[string]*corev1.Pod, plan Plan) error {
	var errs []error
	for range plan.Create {
		errs = append(errs, c.create(ctx, tmpl, hash))
	}
	for _, name := range plan.Delete {
		errs = append(errs, c.delete(ctx, pods[name]))
	}
	for _, name := range plan.Drain {
		if err := c.drain(ctx, pods[name]); err != nil {
			errs = append(errs, err)
		} else if p := pods[name]; p != nil {
			c.drained.add(p.Annotations[wire.MatchAnnotation], time.Now().Add(c.cfg.Update.DrainedFor))
		}
	}
	for _, p := range pods {
		errs = append(errs, c.annotate(ctx, p))
	}
	return errors.Join(errs...)
}

func (c *Controller) room(p *corev1.Pod, hash string, now time.Time) Room {
	state, ok := policy.ParseOpsState(p.Labels[wire.OpsStateLabel])
	if !ok {
		state = policy.None // not yet published: starting, idle
	}
	c.mu.Lock()
	since, seen := c.noneSince[p.Name]
	if state != policy.None {
		delete(c.noneSince, p.Name)
	} else if !seen {
		since = now
		c.noneSince[p.Name] = now
	}
	c.mu.Unlock()
	r := Room{Name: p.Name, State: state, Current: p.Labels[TemplateHashLabel] == hash, Ready: wire.PodReady(p),
		Created: p.CreationTimestamp.Time, Scheduled: p.Spec.NodeName != "", Match: p.Annotations[wire.MatchAnnotation]}
	if state == policy.None {
		r.IdleFor = now.Sub(since)
	}
	return r
}

// create makes a room pod from the template, owned by it.
func (c *Controller) create(ctx context.Context, tmpl *corev1.PodTemplate, hash string) error {
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	pod := &corev1.Pod{ObjectMeta: *tmpl.Template.ObjectMeta.DeepCopy(), Spec: *tmpl.Template.Spec.DeepCopy()}
	pod.Name = tmpl.Name + "-" + hex.EncodeToString(suffix[:])
	pod.Namespace = c.cfg.Namespace
	if pod.Labels == nil {
		pod.Labels = map[string]string{}
	}
	pod.Labels[TemplateHashLabel] = hash
	pod.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "PodTemplate", Name: tmpl.Name, UID: tmpl.UID}}
	created, err := c.client.CoreV1().Pods(c.cfg.Namespace).Create(ctx, pod, metav1.CreateOptions{FieldManager: "fleetd"})
	if err == nil {
		c.expect.created[created.Name] = expected{at: time.Now(), state: Room{Name: created.Name, State: policy.None, Current: true,
			Created: created.CreationTimestamp.Time}}
	}
	return err
}

// delete removes a room only if it is unchanged since this plan saw it:
// a room the matchmaker allocated meanwhile has a new resourceVersion.
func (c *Controller) delete(ctx context.Context, p *corev1.Pod) error {
	if p == nil {
		return nil
	}
	err := c.client.CoreV1().Pods(c.cfg.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{
		Preconditions: &metav1.Preconditions{UID: &p.UID, ResourceVersion: &p.ResourceVersion},
	})
	if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
		return nil // changed or gone: the next plan sees it as it is
	}
	if err == nil {
		c.expect.deleted[p.Name] = time.Now()
	}
	return err
}

// drain deletes a room in play (a draining rollout): its server gets
// SIGTERM and moves its players on. Only the UID is a precondition: the
// room stays Allocated whatever else changes on it.
func (c *Controller) drain(ctx context.Context, p *corev1.Pod) error {
	if p == nil {
		return nil
	}
	err := c.client.CoreV1().Pods(c.cfg.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &p.UID}})
	if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
		return nil
	}
	if err == nil {
		c.expect.deleted[p.Name] = time.Now()
	}
	return err
}

// annotate keeps deletion cost and eviction protection in step with the
// opsState: the ReplicaSet-free equivalent for anything else that deletes
// pods (Karpenter's consolidation, the cluster autoscaler, drains).
func (c *Controller) annotate(ctx context.Context, p *corev1.Pod) error {
	state, _ := policy.ParseOpsState(p.Labels[wire.OpsStateLabel])
	want := map[string]*string{DeletionCostKey: ptr(strconv.Itoa(policy.DeletionCost(state))), SafeToEvictKey: nil, DoNotDisruptKey: nil}
	if state == policy.Allocated {
		want[SafeToEvictKey], want[DoNotDisruptKey] = ptr("false"), ptr("true")
	}
	same := true
	for k, v := range want {
		cur, ok := p.Annotations[k]
		if (v == nil) == ok || (v != nil && cur != *v) {
			same = false
		}
	}
	if same {
		return nil
	}
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": want}})
	_, err := c.client.CoreV1().Pods(c.cfg.Namespace).Patch(ctx, p.Name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "fleetd"})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

func ptr(s string) *string { return &s }

func owned(p *corev1.Pod, tmpl *corev1.PodTemplate) bool {
	for _, o := range p.OwnerReferences {
		if o.Kind == "PodTemplate" && o.UID == tmpl.UID {
			return true
		}
	}
	return false
}

// templateHash names a template's version: pods from another hash are old.
func templateHash(t *corev1.PodTemplate) string {
	b, _ := json.Marshal(t.Template)
	h := fnv.New32a()
	h.Write(b)
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}
