package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetbench/fleetbench/clusters"
	"github.com/fleetbench/fleetbench/internal/dist"
)

// Runner watches the runner's pods and keeps one worker per pod.
type Runner struct {
	cfg    Config
	log    *slog.Logger
	client kubernetes.Interface
	ips    *ipam

	informers informers.SharedInformerFactory
	podCache  cache.Indexer // the runner's pods; nil until Run
	services  cache.Indexer // Services, for the env kubelet gives pods
	slices    cache.Indexer // EndpointSlices, whose ready addresses stand in for ClusterIPs

	mu       sync.Mutex
	workers  map[types.UID]*worker
	finished map[types.UID]bool // pods whose worker has returned
	rng      *rand.Rand         // startup delays; guarded by mu
	startup  dist.Sampler
	wg       sync.WaitGroup
}

// New connects to the cluster; Run starts the work.
func New(cfg Config, log *slog.Logger) (*Runner, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler) // a library caller need not log
	}
	rc, err := clientcmd.BuildConfigFromFlags("", cfg.Kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	// Several status updates per pod: a fleet scaling by hundreds of rooms
	// must not queue behind the client's rate limiter.
	rc.QPS, rc.Burst = 1000, 2000
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	return newRunner(cfg, log, client), nil
}

func newRunner(cfg Config, log *slog.Logger, client kubernetes.Interface) *Runner {
	return &Runner{
		cfg: cfg, log: log, client: client, ips: newIPAM(1),
		workers: map[types.UID]*worker{}, finished: map[types.UID]bool{},
		rng:     rand.New(rand.NewPCG(cfg.Seed, 0x72756e6e6572)),
		startup: cfg.Startup.Sampler(),
		// Run replaces these with informer caches.
		services: cache.NewIndexer(cache.MetaNamespaceKeyFunc, nil),
		slices:   cache.NewIndexer(cache.MetaNamespaceKeyFunc, nil),
	}
}

// Run serves /healthz once the caches have synced and realizes pods until
// ctx ends; then it stops every pod process it started.
func (r *Runner) Run(ctx context.Context) error {
	n, lock, err := claimRange(r.cfg.RangeDir())
	if err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	defer lock.Close()
	r.ips = newIPAM(n)
	ln, err := net.Listen("tcp", r.cfg.HealthAddr)
	if err != nil {
		return fmt.Errorf("runner health endpoint: %w", err)
	}
	synced := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		select {
		case <-synced:
			fmt.Fprintln(w, "ok")
		default:
			http.Error(w, "caches not synced", http.StatusServiceUnavailable)
		}
	}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	r.informers = informers.NewSharedInformerFactory(r.client, 10*time.Minute)
	// Only the runner's pods, and only once bound: kwok handles the rest.
	pods := informers.NewSharedInformerFactoryWithOptions(r.client, 10*time.Minute, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.LabelSelector = clusters.RunLabel + "=" + clusters.RunAsProcess
		o.FieldSelector = "spec.nodeName!="
	}))
	podInf := pods.Core().V1().Pods().Informer()
	nodeInf := r.informers.Core().V1().Nodes().Informer()
	svcInf := r.informers.Core().V1().Services().Informer()
	sliceInf := r.informers.Discovery().V1().EndpointSlices().Informer()
	r.services, r.slices, r.podCache = svcInf.GetIndexer(), sliceInf.GetIndexer(), podInf.GetIndexer()
	if _, err := podInf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(o any) { r.podChanged(o) },
		UpdateFunc: func(_, o any) { r.podChanged(o) },
		DeleteFunc: r.podDeleted,
	}); err != nil {
		return err
	}
	if _, err := nodeInf.AddEventHandler(cache.ResourceEventHandlerFuncs{DeleteFunc: r.nodeDeleted}); err != nil {
		return err
	}
	r.informers.Start(ctx.Done())
	pods.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), podInf.HasSynced, nodeInf.HasSynced, svcInf.HasSynced, sliceInf.HasSynced) {
		return errors.New("runner: caches did not sync")
	}
	close(synced)
	r.log.Info("runner ready", "health", r.cfg.HealthAddr)
	<-ctx.Done()
	r.stopAll()
	r.informers.Shutdown()
	pods.Shutdown()
	return nil
}

func (r *Runner) podChanged(obj any) {
	pod, ok := obj.(*corev1.Pod)
	if !ok || pod.Spec.NodeName == "" {
		return
	}
	r.mu.Lock()
	w := r.workers[pod.UID]
	if w == nil {
		finished := r.finished[pod.UID]
		r.mu.Unlock()
		switch {
		case pod.DeletionTimestamp != nil:
			// Never started here or already stopped: only the object is left.
			go (&worker{r: r, uid: pod.UID, ns: pod.Namespace, name: pod.Name}).finalize(context.Background(), r.log)
		case !terminal(pod) && !finished:
			r.startWorker(pod)
		}
		return
	}
	if pod.DeletionTimestamp != nil {
		// Under mu: a worker that ends meanwhile finds the request (startWorker).
		w.terminate(gracePeriod(pod))
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	if v, ok := pod.Annotations[clusters.DownUntilAnnotation]; ok {
		if until, err := time.Parse(time.RFC3339Nano, v); err == nil {
			w.holdDown(until)
		}
	}
}

// startWorker realizes a pod; a pod whose processes ended for good is
// remembered so that a stale informer event cannot start it again.
func (r *Runner) startWorker(pod *corev1.Pod) {
	w := newWorker(r, pod, r.startupDelay())
	r.mu.Lock()
	r.workers[pod.UID] = w
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		w.run()
		r.mu.Lock()
		delete(r.workers, pod.UID)
		r.finished[pod.UID] = true
		var deleted bool
		select {
		case <-w.termCh: // deleted as its processes ended: no loop took it
			deleted = true
		default:
		}
		r.mu.Unlock()
		if deleted {
			w.finalize(context.Background(), r.log)
		}
	}()
}

func (r *Runner) podDeleted(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	if pod, ok := obj.(*corev1.Pod); ok {
		r.kill(func(w *worker) bool { return w.uid == pod.UID }, "pod deleted")
		r.mu.Lock()
		delete(r.finished, pod.UID)
		r.mu.Unlock()
	}
}

// nodeDeleted kills the processes of a node that is gone: the machine
// they ran on no longer exists. Their pods are left to the pod GC.
func (r *Runner) nodeDeleted(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	if node, ok := obj.(*corev1.Node); ok {
		r.kill(func(w *worker) bool { return w.node == node.Name }, "node "+node.Name+" deleted")
	}
}

func (r *Runner) kill(match func(*worker) bool, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, w := range r.workers {
		if match(w) {
			w.kill(why)
		}
	}
}

// stopAll ends every pod process (the cluster is going down) without
// reporting to the API server, which may already be gone.
func (r *Runner) stopAll() {
	r.kill(func(*worker) bool { return true }, "runner stopping")
	r.wg.Wait()
}

func (r *Runner) startupDelay() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.startup.Sample(r.rng) * r.cfg.TimeScale
	return time.Duration(s * float64(time.Second))
}

func terminal(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
}

func gracePeriod(pod *corev1.Pod) time.Duration {
	if g := pod.DeletionGracePeriodSeconds; g != nil {
		return time.Duration(*g) * time.Second
	}
	if g := pod.Spec.TerminationGracePeriodSeconds; g != nil {
		return time.Duration(*g) * time.Second
	}
	return 30 * time.Second
}
