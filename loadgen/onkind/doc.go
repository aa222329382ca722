// Package onkind holds the real runs on a kind cluster: the offline node
// image, the stack and its players on it, and a teardown that leaves
// nothing behind. They run in `make test` where a Docker daemon answers.
package onkind
