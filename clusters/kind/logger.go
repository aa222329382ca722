package kind

import (
	"fmt"
	"io"
	"strings"

	"sigs.k8s.io/kind/pkg/log"
)

// progressLogger hands kind's messages to the provider's Progress writer
// (kind's own logger writes to the process's stderr, around the caller's
// output); kind's verbose levels above 0 are dropped.
type progressLogger struct{ w io.Writer }

var _ log.Logger = progressLogger{}

func (l progressLogger) print(s string) {
	if s = strings.TrimSpace(s); s != "" {
		fmt.Fprintln(l.w, "kind: "+s)
	}
}

func (l progressLogger) Warn(message string)               { l.print(message) }
func (l progressLogger) Warnf(format string, args ...any)  { l.print(fmt.Sprintf(format, args...)) }
func (l progressLogger) Error(message string)              { l.print(message) }
func (l progressLogger) Errorf(format string, args ...any) { l.print(fmt.Sprintf(format, args...)) }

func (l progressLogger) V(level log.Level) log.InfoLogger {
	if level > 0 {
		return log.NoopInfoLogger{}
	}
	return infoLogger(l)
}

type infoLogger progressLogger

func (l infoLogger) Info(message string) { progressLogger(l).print(message) }
func (l infoLogger) Infof(format string, args ...any) {
	progressLogger(l).print(fmt.Sprintf(format, args...))
}
func (l infoLogger) Enabled() bool { return true }
