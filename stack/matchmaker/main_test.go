package matchmaker

import (
	"testing"

	"github.com/fleetbench/fleetbench/clusters/localtest"
)

func TestMain(m *testing.M) { localtest.Main(m) }
