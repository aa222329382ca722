package room

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics is the room server's Prometheus registry (one per server: no
// global state).
type metrics struct {
	reg         *prometheus.Registry
	players     prometheus.Gauge
	joins       *prometheus.CounterVec // by result
	reconnects  *prometheus.CounterVec // by result
	inputs      prometheus.Counter
	refused     *prometheus.CounterVec // messages refused, by code
	disconnects *prometheus.CounterVec // connections ended, by cause
	storeErrors prometheus.Counter
	tickSeconds prometheus.Histogram
	ticks       prometheus.Counter // due, run or dropped
	ticksLate   prometheus.Counter // run a whole period late, or dropped
}

func newMetrics() *metrics {
	m := &metrics{
		reg:         prometheus.NewRegistry(),
		players:     prometheus.NewGauge(prometheus.GaugeOpts{Name: "room_players_connected", Help: "Players with a live connection."}),
		joins:       prometheus.NewCounterVec(prometheus.CounterOpts{Name: "room_joins_total", Help: "Join attempts by result."}, []string{"result"}),
		reconnects:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "room_reconnects_total", Help: "Reconnect attempts by result."}, []string{"result"}),
		inputs:      prometheus.NewCounter(prometheus.CounterOpts{Name: "room_inputs_applied_total", Help: "Player inputs applied."}),
		refused:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "room_messages_refused_total", Help: "Messages refused, by error code."}, []string{"code"}),
		disconnects: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "room_disconnects_total", Help: "Connections ended, by the first cause seen (conn.go names them)."}, []string{"cause"}),
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "room_store_errors_total", Help: "Ticks not stored in Redis (and so not broadcast)."}),
		ticks:       prometheus.NewCounter(prometheus.CounterOpts{Name: "room_ticks_total", Help: "Ticks due since the room first published (run or dropped)."}),
		ticksLate:   prometheus.NewCounter(prometheus.CounterOpts{Name: "room_ticks_late_total", Help: "Ticks that started a whole period late, or never (the ticker dropped them)."}),
		tickSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "room_tick_seconds", Help: "Time to store and broadcast one tick.", Buckets: prometheus.ExponentialBuckets(0.0001, 2, 14)}),
	}
	m.reg.MustRegister(m.players, m.joins, m.reconnects, m.inputs, m.refused, m.disconnects, m.storeErrors, m.tickSeconds, m.ticks, m.ticksLate)
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
