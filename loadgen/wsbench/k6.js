// The k6 side of `make bench-loadgen`: each VU holds one WebSocket
// session to the echo target and sends an input every INTERVAL_MS, as
// fleetbench's Sessions do.
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
    let n = 0;
    socket.on('open', function () {
      socket.setTimeout(function () {
        socket.setInterval(function () {
          n++;
          socket.send(JSON.stringify({ type: 'input', input: n }));
        }, interval);
      }, Math.random() * interval);
    });
  });
}
