package ociarchive

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// An archive read back with the library's reader: both images, their
// start commands, the base layer stored once and the files in place.
func TestWriteReadsBack(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "base.tar")
	writeTar(t, base, map[string]string{"etc/os-release": "ID=debian\n"})
	bin := filepath.Join(dir, "server")
	if err := os.WriteFile(bin, []byte("#!/bin/true\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, "out.tar")
	err := WriteFile(archive,
		Image{Ref: "example.test/a:1", Layers: []Layer{{Tar: base}, {Files: map[string]string{"/usr/local/bin/server": bin}}}, Entrypoint: []string{"server"}, StopSignal: "SIGRTMIN+3"},
		Image{Ref: "b:2", Layers: []Layer{{Tar: base}}, Entrypoint: []string{"redis-server"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag("example.test/a:1")
	img, err := tarball.ImageFromPath(archive, &tag)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Config.Entrypoint[0] != "server" || cfg.Config.StopSignal != "SIGRTMIN+3" || cfg.OS != "linux" {
		t.Errorf("config %+v", cfg.Config)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 2 {
		t.Fatalf("layers %v %v", len(layers), err)
	}
	rc, err := layers[1].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Name == "usr/local/bin/server" && h.Mode != 0o755 {
			t.Errorf("mode %o, want 755", h.Mode)
		}
	}
	if len(names) != 4 || names[3] != "usr/local/bin/server" {
		t.Errorf("layer entries %q: want usr/, usr/local/, usr/local/bin/, the binary", names)
	}
	m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(archive) })
	if err != nil || len(m) != 2 {
		t.Fatalf("manifest %v %v", m, err)
	}
	if m[0].Layers[0] != m[1].Layers[0] {
		t.Errorf("the shared base layer is stored twice: %q vs %q", m[0].Layers[0], m[1].Layers[0])
	}
}

func TestMissingFileIsNamed(t *testing.T) {
	err := Write(io.Discard, Image{Ref: "a:1", Layers: []Layer{{Files: map[string]string{"/x": "/nonexistent/bin"}}}})
	if err == nil {
		t.Fatal("an image of a missing file was written")
	}
}

func writeTar(t *testing.T, path string, files map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	for n, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	f.Close()
}
