// Package ociarchive writes images as a docker-archive tarball (what
// `docker save` writes and `ctr images import` and kind's image loading
// read) from files on this machine, so no registry and no Docker daemon is
// needed to make the images a kind node runs.
package ociarchive

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Image is one image: its layers bottom up and how it starts.
type Image struct {
	// Ref is the name it is stored under, e.g. registry.k8s.io/pause:3.10.
	Ref        string
	Layers     []Layer
	Entrypoint []string
	Cmd        []string
	Env        []string
	// Labels say where the image came from (the upstream version, say).
	Labels map[string]string
	// StopSignal is the signal `docker stop` sends (systemd wants SIGRTMIN+3).
	StopSignal string
	// User runs the entrypoint ("65532:65532"); empty, root.
	User string
}

// Layer is a filesystem change set.
type Layer struct {
	// Tar is an uncompressed tar file on disk (a whole root filesystem, say).
	Tar string
	// Files maps a path in the image to a file on this machine; each is
	// written with its mode and owned by root.
	Files map[string]string
}

func (l Layer) build() (v1.Layer, error) {
	opts := []tarball.LayerOption{tarball.WithCompressionLevel(1), tarball.WithCompressedCaching}
	if l.Tar != "" {
		return tarball.LayerFromFile(l.Tar, opts...)
	}
	var buf bytes.Buffer
	if err := writeFiles(&buf, l.Files); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, opts...)
}

// writeFiles tars files (with their parent directories) in a stable order,
// so the same files always give the same layer digest.
func writeFiles(w io.Writer, files map[string]string) error {
	tw := tar.NewWriter(w)
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	dirs := map[string]bool{}
	for _, p := range paths {
		clean := strings.TrimPrefix(path.Clean("/"+p), "/")
		var parents []string
		for d := path.Dir(clean); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
			parents = append([]string{d}, parents...)
		}
		for _, d := range parents {
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, Format: tar.FormatPAX}); err != nil {
				return err
			}
		}
		if err := addFile(tw, clean, files[p]); err != nil {
			return err
		}
	}
	return tw.Close()
}

func addFile(tw *tar.Writer, name, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", src)
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: st.Size(), Mode: int64(st.Mode().Perm()), Format: tar.FormatPAX}); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

// build makes the image; layers from the same Tar file are built once
// (computing a root filesystem's digest takes seconds).
func (im Image) build(shared map[string]v1.Layer) (name.Reference, v1.Image, error) {
	ref, err := name.ParseReference(im.Ref, name.WithDefaultRegistry("docker.io"))
	if err != nil {
		return nil, nil, fmt.Errorf("image %q: %w", im.Ref, err)
	}
	img := empty.Image
	for i, l := range im.Layers {
		layer, ok := shared[l.Tar]
		if !ok || l.Tar == "" {
			var err error
			if layer, err = l.build(); err != nil {
				return nil, nil, fmt.Errorf("image %s layer %d: %w", im.Ref, i, err)
			}
			if l.Tar != "" {
				shared[l.Tar] = layer
			}
		}
		if img, err = mutate.AppendLayers(img, layer); err != nil {
			return nil, nil, fmt.Errorf("image %s layer %d: %w", im.Ref, i, err)
		}
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	cfg.Config.Entrypoint, cfg.Config.Cmd, cfg.Config.Env, cfg.Config.Labels = im.Entrypoint, im.Cmd, im.Env, im.Labels
	cfg.Config.StopSignal, cfg.Config.User = im.StopSignal, im.User
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return nil, nil, err
	}
	return ref, img, nil
}

// Write writes the images as one docker-archive tarball; a layer shared by
// several images (the same Tar) is stored once.
func Write(w io.Writer, images ...Image) error {
	refs := map[name.Reference]v1.Image{}
	shared := map[string]v1.Layer{}
	for _, im := range images {
		ref, img, err := im.build(shared)
		if err != nil {
			return err
		}
		refs[ref] = img
	}
	return tarball.MultiRefWrite(refs, w)
}

// WriteFile writes the archive to path (through a temporary file, so an
// interrupted write never leaves a truncated archive behind).
func WriteFile(path string, images ...Image) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".archive-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := Write(tmp, images...); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
