package kind

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnsureInotify(t *testing.T) {
	p := pool{nodes: 12, rooms: 10} // the control plane, the system worker, 10 room nodes
	if need := p.inotifyNeed(); need != 32+11*20+64 {
		t.Fatalf("need %d", need)
	}
	limitFile := func(v string) string {
		path := filepath.Join(t.TempDir(), "max_user_instances")
		if err := os.WriteFile(path, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	read := func(path string) string {
		b, _ := os.ReadFile(path)
		return strings.TrimSpace(string(b))
	}

	var said strings.Builder
	path := limitFile("8192\n")
	if err := ensureInotifyAt(path, true, p, &said); err != nil || read(path) != "8192" || said.Len() != 0 {
		t.Errorf("a limit that fits: err %v, limit %s, said %q; want it left alone", err, read(path), said.String())
	}

	path = limitFile("128\n")
	if err := ensureInotifyAt(path, true, p, &said); err != nil || read(path) != "512" {
		t.Errorf("root, limit 128: err %v, limit %s; want it raised to kind's 512", err, read(path))
	}
	if !strings.Contains(said.String(), "from 128 to 512") {
		t.Errorf("said %q, want the change named", said.String())
	}

	big := pool{nodes: 40}
	path = limitFile("128")
	if err := ensureInotifyAt(path, true, big, &said); err != nil || read(path) != "876" {
		t.Errorf("root, 40 nodes: err %v, limit %s; want 876", err, read(path))
	}

	path = limitFile("128")
	err := ensureInotifyAt(path, false, p, &said)
	if err == nil || !strings.Contains(err.Error(), "fs.inotify.max_user_instances=512") || !strings.Contains(err.Error(), "allows 128") || read(path) != "128" {
		t.Errorf("not root: err %v, limit %s; want a refusal naming the limit and the command, the file untouched", err, read(path))
	}

	if err := ensureInotifyAt(limitFile("lots"), true, p, &said); err == nil || !strings.Contains(err.Error(), "inotify limit") {
		t.Errorf("an unreadable limit: err %v", err)
	}
}
