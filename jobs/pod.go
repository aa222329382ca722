package jobs

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// ErrPodFlags: a worker command's flags are wrong (bad usage).
var ErrPodFlags = errors.New("worker flags")

// Pod is what a worker pod knows of itself: its index (from the Job),
// its namespace (downward API) and a client with its service account.
type Pod struct {
	Index     int
	Namespace string
	Client    kubernetes.Interface
}

// PodFlags parses a worker command's flags and connects: --index
// defaults to $JOB_COMPLETION_INDEX, --namespace to $POD_NAMESPACE (else
// defaultNS); API access is $KUBECONFIG where the pod runner gives one,
// else in-cluster.
func PodFlags(fs *flag.FlagSet, args []string, defaultNS string) (Pod, error) {
	index := fs.String("index", os.Getenv("JOB_COMPLETION_INDEX"), "this worker's index (default $JOB_COMPLETION_INDEX)")
	ns := fs.String("namespace", cmp.Or(os.Getenv("POD_NAMESPACE"), defaultNS), "the namespace (default $POD_NAMESPACE)")
	if err := fs.Parse(args); err != nil {
		return Pod{}, fmt.Errorf("%w: %w", ErrPodFlags, err)
	}
	i, err := strconv.Atoi(*index)
	if err != nil || i < 0 {
		return Pod{}, fmt.Errorf("%w: --index %q: want the worker's completion index, 0 or more", ErrPodFlags, *index)
	}
	rc, err := clientcmd.BuildConfigFromFlags("", os.Getenv("KUBECONFIG"))
	if err != nil {
		return Pod{}, fmt.Errorf("worker %d: API access: %w", i, err)
	}
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return Pod{}, err
	}
	return Pod{Index: i, Namespace: *ns, Client: client}, nil
}
