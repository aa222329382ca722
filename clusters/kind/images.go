package kind

import (
	"fmt"
	"path/filepath"
	"strings"
)

// StackCommands are the stack's binaries, each shipped as image
// fleetbench/NAME (the local runner maps the same names to BinDir/NAME).
var StackCommands = []string{"roomserver", "matchmaker", "fleetd"}

// ImageTag is the tag the manifests use for the stack's images.
const ImageTag = "dev"

// Image is one image to build and load into the kind nodes.
type Image struct {
	Name    string // fleetbench/roomserver:dev
	Package string // ./cmd/roomserver
	// Binary is where the static binary is built, inside Context.
	Binary     string
	Context    string
	Dockerfile string
}

// ImagePlan lists the images for the stack's commands, built under
// workDir. Binaries are static (CGO_ENABLED=0) on a distroless base so an
// image is the binary and nothing else to patch.
func ImagePlan(workDir string, commands []string) []Image {
	var plan []Image
	for _, cmd := range commands {
		ctx := filepath.Join(workDir, cmd)
		plan = append(plan, Image{
			Name:       "fleetbench/" + cmd + ":" + ImageTag,
			Package:    "./cmd/" + cmd,
			Binary:     filepath.Join(ctx, cmd),
			Context:    ctx,
			Dockerfile: fmt.Sprintf("FROM gcr.io/distroless/static-debian12:nonroot\nCOPY %s /%s\nENTRYPOINT [\"/%s\"]\n", cmd, cmd, cmd),
		})
	}
	return plan
}

// Commands are the command lines that realize an image, for logs and tests.
func (im Image) Commands() [][]string {
	return [][]string{
		{"env", "CGO_ENABLED=0", "go", "build", "-trimpath", "-o", im.Binary, im.Package},
		{"docker", "build", "-t", im.Name, im.Context},
	}
}

func (im Image) String() string { return im.Name + " (" + strings.TrimPrefix(im.Package, "./") + ")" }
