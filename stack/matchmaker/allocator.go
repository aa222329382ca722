// Package matchmaker forms matches of players and allocates each a Ready
// room server through the Kubernetes API, so that no room is ever given
// to two matches, even with several matchmakers.
package matchmaker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/fleetbench/fleetbench/policy"
	"github.com/fleetbench/fleetbench/stack/wire"
)

// Room is an allocated room server.
type Room struct {
	Name, Address string
	Version       int
	// Waited: no Ready room was free when the match asked (the model's
	// allocation_waits).
	Waited bool
}

// ErrNoRoom: no Ready room in opsState None (within the wait, if any).
var ErrNoRoom = errors.New("no room free")

// Allocator allocates rooms from an informer's view of the room pods.
// Its reservations keep concurrent allocations in this process off each
// other's rooms; the resourceVersion precondition on the patch keeps
// every allocator in the cluster off them.
type Allocator struct {
	client    kubernetes.Interface
	ns        string
	placement policy.Placement
	log       *slog.Logger
	store     cache.Store
	synced    cache.InformerSynced
	// gameServers, under OpenKruiseGame, is where claims go.
	gameServers dynamic.NamespaceableResourceInterface

	conflicts atomic.Int64 // claims refused: another writer changed the room first

	mu       sync.Mutex
	reserved map[string]string // pod → resourceVersion it was taken at
	changed  chan struct{}     // closed (and replaced) when the view changes
	queue    waiters           // matches waiting for a room, longest first
	// waiting counts matches blocked waiting for a free room;
	// waitingChanged is closed (and replaced) when it changes.
	waiting        int64
	waitingChanged chan struct{}
}

// NewAllocator watches room server pods in ns once Start runs.
func NewAllocator(client kubernetes.Interface, ns string, placement policy.Placement, log *slog.Logger) *Allocator {
	if log == nil {
		log = slog.New(slog.DiscardHandler) // a library caller need not log
	}
	return &Allocator{client: client, ns: ns, placement: placement, log: log, reserved: map[string]string{},
		changed: make(chan struct{}), waitingChanged: make(chan struct{})}
}

// ClaimGameServers makes the allocator claim rooms as OpenKruiseGame's
// users do, on each room's GameServer (call before Start); the view
// reads opsState from the pod label kruise-game copies it to.
func (a *Allocator) ClaimGameServers(dyn dynamic.Interface) {
	a.gameServers = dyn.Resource(wire.GameServers)
}

// Start runs the informer and waits for its cache.
func (a *Allocator) Start(ctx context.Context) error {
	f := informers.NewSharedInformerFactoryWithOptions(a.client, 10*time.Minute, informers.WithNamespace(a.ns),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = wire.RoomServerSelector }))
	inf := f.Core().V1().Pods().Informer()
	notify := func(any) { a.notify() }
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: notify, UpdateFunc: func(_, o any) { notify(o) }, DeleteFunc: notify}); err != nil {
		return err
	}
	a.store, a.synced = inf.GetStore(), inf.HasSynced
	f.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		return fmt.Errorf("room pods: cache did not sync: %w", ctx.Err())
	}
	return nil
}

// Conflicts counts claims another writer beat.
func (a *Allocator) Conflicts() int64 { return a.conflicts.Load() }

// Synced reports whether the view of the rooms is complete.
func (a *Allocator) Synced() bool { return a.synced != nil && a.synced() }

func (a *Allocator) notify() {
	a.mu.Lock()
	a.notifyLocked()
	a.mu.Unlock()
}

func (a *Allocator) notifyLocked() {
	close(a.changed)
	a.changed = make(chan struct{})
}

// Allocate gives match a room. With wait, it waits (until ctx ends) for
// one to become free, in the queue: a room that becomes free goes to the
// match that has waited longest, as the model's FIFO gives it. Without
// wait, it fails at once with ErrNoRoom.
func (a *Allocator) Allocate(ctx context.Context, match string, wait bool) (Room, error) {
	var w *waiter // the match's place in the queue, from its first miss
	defer func() {
		if w != nil {
			a.leave(w)
		}
	}()
	for {
		pod, changed := a.next(&w, wait)
		if pod == nil {
			if !wait {
				return Room{}, ErrNoRoom
			}
			select {
			case <-changed:
				continue
			case <-ctx.Done():
				return Room{}, fmt.Errorf("%w within the allocation timeout", ErrNoRoom)
			}
		}
		room, err := a.claim(ctx, pod, match)
		if err == nil {
			room.Waited = w != nil
			return room, nil
		}
		if !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
			a.release(pod.Name)
			return Room{}, err
		}
		// Someone else changed the room first: it stays reserved until the
		// informer shows its new version; try the next one.
		a.conflicts.Add(1)
	}
}

// pick reserves the best free room (a.mu held).
func (a *Allocator) pick() *corev1.Pod {
	load := map[string]int{}
	var free []*corev1.Pod
	for _, o := range a.store.List() {
		p := o.(*corev1.Pod)
		state, _ := policy.ParseOpsState(wire.PodOpsState(p))
		if state == policy.Allocated {
			load[p.Spec.NodeName]++
		}
		if rv, ok := a.reserved[p.Name]; ok && rv == p.ResourceVersion {
			continue
		}
		delete(a.reserved, p.Name)
		if wire.PodOpsState(p) == policy.None.String() && ready(p) {
			free = append(free, p)
		}
	}
	var best *corev1.Pod
	var bestRoom policy.Room
	for i, p := range free {
		r := policy.Room{Version: version(p), NodeLoad: load[p.Spec.NodeName], Index: i}
		if best == nil || policy.BetterRoom(r, bestRoom, a.placement) {
			best, bestRoom = p, r
		}
	}
	if best != nil {
		a.reserved[best.Name] = best.ResourceVersion
	}
	return best
}

// Serving reports whether a room the view holds is still up: not being
// deleted, not draining (WaitToBeDeleted). A room just claimed counts,
// whether or not the view shows the claim yet.
func (a *Allocator) Serving(name string) bool {
	o, ok, err := a.store.GetByKey(a.ns + "/" + name)
	if err != nil || !ok {
		return false
	}
	p := o.(*corev1.Pod)
	state, _ := policy.ParseOpsState(wire.PodOpsState(p))
	return p.DeletionTimestamp == nil && state != policy.WaitToBeDeleted
}

func (a *Allocator) release(name string) {
	a.mu.Lock()
	delete(a.reserved, name)
	a.mu.Unlock()
}

// claim marks the room Allocated for match, only if it is unchanged since
// the informer saw it: a merge patch carrying resourceVersion is refused
// with 409 Conflict otherwise.
func (a *Allocator) claim(ctx context.Context, pod *corev1.Pod, match string) (Room, error) {
	if a.gameServers != nil {
		return a.claimGameServer(ctx, pod)
	}
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{
		"resourceVersion": pod.ResourceVersion,
		"labels":          map[string]string{wire.OpsStateLabel: policy.Allocated.String()},
		"annotations":     map[string]string{wire.MatchAnnotation: match},
	}})
	_, err := a.client.CoreV1().Pods(a.ns).Patch(ctx, pod.Name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "matchmaker"})
	if err != nil {
		return Room{}, err
	}
	return Room{Name: pod.Name, Address: pod.Annotations[wire.AddressAnnotation], Version: version(pod)}, nil
}

// claimOpsState is OpenKruiseGame's test-and-set of a GameServer's
// opsState: the patch fails unless the room is still None.
var claimOpsState = []byte(`[{"op":"test","path":"/spec/opsState","value":"None"},{"op":"replace","path":"/spec/opsState","value":"Allocated"}]`)

// claimGameServer marks the room's GameServer Allocated if it is still
// None. A failed test comes back as 422 Invalid (the patch is fixed, so
// nothing else makes it invalid): it is reported as the conflict it is.
// kruise-game then copies Allocated to the pod's label, which moves the
// pod's version and ends the room's reservation here.
func (a *Allocator) claimGameServer(ctx context.Context, pod *corev1.Pod) (Room, error) {
	_, err := a.gameServers.Namespace(a.ns).Patch(ctx, pod.Name, types.JSONPatchType, claimOpsState, metav1.PatchOptions{FieldManager: "matchmaker"})
	if apierrors.IsInvalid(err) {
		return Room{}, apierrors.NewConflict(wire.GameServers.GroupResource(), pod.Name, err)
	}
	if err != nil {
		return Room{}, err
	}
	return Room{Name: pod.Name, Address: pod.Annotations[wire.AddressAnnotation], Version: version(pod)}, nil
}

func ready(p *corev1.Pod) bool {
	return p.DeletionTimestamp == nil && p.Annotations[wire.AddressAnnotation] != "" && wire.PodReady(p)
}

// version reads the version label ("v3" → 3); unversioned pods are 0.
func version(p *corev1.Pod) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(p.Labels[wire.VersionLabel], "v"))
	return n
}
