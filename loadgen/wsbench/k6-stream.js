// The k6 side of the state-stream comparison in `make bench-loadgen`:
// each VU joins a room of the Stream target, reads every state the room
// pushes (parsing it, as a player checking its acknowledgements must),
// and sends an input every INTERVAL_MS, as fleetbench's players do.
import ws from 'k6/ws';

const urls = __ENV.URLS.split(',');
const interval = parseInt(__ENV.INTERVAL_MS);

export const options = {
  vus: parseInt(__ENV.VUS),
  duration: __ENV.DURATION,
  summaryTrendStats: ['p(99)'],
};

export default function () {
  ws.connect(urls[(__VU - 1) % urls.length], {}, function (socket) {
    let n = 0, me = '', seq = 0, acked = 0;
    socket.on('open', function () {
      socket.send(JSON.stringify({ type: 'join', token: 'any' }));
    });
    socket.on('message', function (data) {
      const m = JSON.parse(data);
      if (m.type === 'joined') {
        me = m.player;
        socket.setTimeout(function () {
          socket.setInterval(function () {
            n++;
            socket.send(JSON.stringify({ type: 'input', input: n }));
          }, interval);
        }, Math.random() * interval);
        return;
      }
      if (m.type !== 'state') return;
      if (seq > 0 && m.seq !== seq + 1) throw new Error(`state ${m.seq} after ${seq}: a gap`);
      seq = m.seq;
      for (const p of m.players) if (p.player === me) acked = p.lastInput;
    });
  });
}
