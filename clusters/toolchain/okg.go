package toolchain

// OpenKruiseGame's releases, and KEDA's that delivers its minAvailable
// through the HPA. KEDA v2.21.1 needs a newer Go than the build machines
// run (1.27.4), so v2.21.0.
const (
	KruiseVersion     = "v1.8.3"
	KruiseGameVersion = "v1.0.0"
	KEDAVersion       = "v2.21.0"
)

// OKG is what a cluster whose fleet controller is OpenKruiseGame runs
// beside the stack: OpenKruise's manager (GameServerSet makes its
// Advanced StatefulSets), kruise-game's manager (GameServerSet,
// GameServer and the external scaler KEDA asks) and KEDA's operator and
// metrics server (the External metric the HPA reads). Each ships its
// kustomize tree (config/): CRDs, RBAC and the deployments upstream
// renders its own installs from.
func OKG() []Component {
	return []Component{
		{Module: "kruise", Version: KruiseVersion, Static: true,
			Tools:  []Tool{{"kruise-manager", "github.com/openkruise/kruise"}},
			Assets: []Asset{{Module: "github.com/openkruise/kruise", Version: KruiseVersion, Dir: "config", Tree: true, Into: "kruise-config"}}},
		{Module: "kruise-game", Version: KruiseGameVersion, Static: true,
			Tools:  []Tool{{"kruise-game-manager", "github.com/openkruise/kruise-game"}},
			Assets: []Asset{{Module: "github.com/openkruise/kruise-game", Version: KruiseGameVersion, Dir: "config", Tree: true, Into: "kruise-game-config"}}},
		{Module: "keda", Version: KEDAVersion, Static: true,
			Tools:  []Tool{{"keda", "github.com/kedacore/keda/v2/cmd/operator"}, {"keda-adapter", "github.com/kedacore/keda/v2/cmd/adapter"}},
			Assets: []Asset{{Module: "github.com/kedacore/keda/v2", Version: KEDAVersion, Dir: "config", Tree: true, Into: "keda-config"}}},
	}
}
