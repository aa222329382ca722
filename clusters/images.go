package clusters

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ImageChecker is implemented by providers that realize images from local
// commands: Deploy asks it first, so a missing binary (say redis-server)
// is one clear error instead of pods that never start.
type ImageChecker interface {
	CheckImages(images []string) error
}

// manifestImages lists the container images of the pods and pod
// templates labelled to run as processes (kwok fakes the others).
func manifestImages(objs []*unstructured.Unstructured) []string {
	seen := map[string]bool{}
	var images []string
	for _, o := range objs {
		for _, meta := range [][]string{{"spec", "template"}, {}} {
			labels, _, _ := unstructured.NestedStringMap(o.Object, append(meta, "metadata", "labels")...)
			if labels[RunLabel] != RunAsProcess {
				continue
			}
			path := append(meta, "spec")
			for _, field := range []string{"initContainers", "containers"} {
				list, _, _ := unstructured.NestedSlice(o.Object, append(path, field)...)
				for _, c := range list {
					m, _ := c.(map[string]any)
					if img, _ := m["image"].(string); img != "" && !seen[img] {
						seen[img] = true
						images = append(images, img)
					}
				}
			}
		}
	}
	return images
}
